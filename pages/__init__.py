"""Pages Tributary serves itself (GraphiQL), with the browser files they need vendored beside them."""
