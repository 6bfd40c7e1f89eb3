"""GraphQL documents shared by several test files."""

SOURCE_FIELDS = "id name createdAt color position archived archivedAt usage { companies persons deals }"

ENABLE_SOURCES = "mutation { updateSourceSettings(enabled: true) { enabled inheritFromCompany } }"
ENABLE_INHERITANCE = """mutation {
  updateSourceSettings(enabled: true, inheritFromCompany: true) { enabled inheritFromCompany } }"""
DISABLE_SOURCES = "mutation { updateSourceSettings(enabled: false) { enabled inheritFromCompany } }"

CREATE_SOURCE = f"mutation($name: String!) {{ createSource(name: $name) {{ {SOURCE_FIELDS} }} }}"
RENAME_SOURCE = (
    f"mutation($id: ID!, $name: String!) {{ renameSource(id: $id, name: $name) {{ {SOURCE_FIELDS} }} }}"
)
DELETE_SOURCE = """mutation($id: ID!, $confirm: Boolean!, $replaceWith: ID) {
  deleteSource(id: $id, confirm: $confirm, replaceWith: $replaceWith) {
    deletedId detached { companies persons deals } replacedWith { id name } } }"""
SOURCES = f"{{ sources {{ {SOURCE_FIELDS} }} }}"
ALL_SOURCES = f"{{ sources(includeArchived: true) {{ {SOURCE_FIELDS} }} }}"
CREATE_COLOURED_SOURCE = f"""mutation($name: String!, $color: String) {{
  createSource(name: $name, color: $color) {{ {SOURCE_FIELDS} }} }}"""
UPDATE_SOURCE = f"""mutation($id: ID!, $input: UpdateSourceInput!) {{
  updateSource(id: $id, input: $input) {{ {SOURCE_FIELDS} }} }}"""
REORDER_SOURCES = f"mutation($ids: [ID!]!) {{ reorderSources(ids: $ids) {{ {SOURCE_FIELDS} }} }}"
ARCHIVE_SOURCE = f"mutation($id: ID!) {{ archiveSource(id: $id) {{ {SOURCE_FIELDS} }} }}"
RESTORE_SOURCE = f"mutation($id: ID!) {{ restoreSource(id: $id) {{ {SOURCE_FIELDS} }} }}"
MERGE_SOURCES = f"""mutation($ids: [ID!]!, $into: ID!, $confirm: Boolean!) {{
  mergeSources(ids: $ids, into: $into, confirm: $confirm) {{
    into {{ {SOURCE_FIELDS} }} mergedIds moved {{ companies persons deals }} }} }}"""
APPLY_COMPANY_SOURCE = """mutation($companyId: ID!, $overwrite: Boolean) {
  applyCompanySource(companyId: $companyId, overwrite: $overwrite) {
    company { id source { id } } persons deals } }"""
SOURCE = f"query($id: ID!) {{ source(id: $id) {{ {SOURCE_FIELDS} }} }}"

RECORD = "id source { id name } owner { id } createdAt updatedAt"
COMPANY_FIELDS = f"{RECORD} name"
PERSON_FIELDS = f"{RECORD} firstName lastName email company {{ id }}"
DEAL_FIELDS = f"{RECORD} title value status company {{ id }} person {{ id }}"

CREATE_COMPANY = f"""mutation($input: CreateCompanyInput!) {{
  createCompany(input: $input) {{ {COMPANY_FIELDS} }} }}"""
UPDATE_COMPANY = f"""mutation($id: ID!, $input: UpdateCompanyInput!) {{
  updateCompany(id: $id, input: $input) {{ {COMPANY_FIELDS} }} }}"""
DELETE_COMPANY = "mutation($id: ID!) { deleteCompany(id: $id) }"
COMPANY = f"query($id: ID!) {{ company(id: $id) {{ {COMPANY_FIELDS} }} }}"

CREATE_PERSON = f"""mutation($input: CreatePersonInput!) {{
  createPerson(input: $input) {{ {PERSON_FIELDS} }} }}"""
UPDATE_PERSON = f"""mutation($id: ID!, $input: UpdatePersonInput!) {{
  updatePerson(id: $id, input: $input) {{ {PERSON_FIELDS} }} }}"""
DELETE_PERSON = "mutation($id: ID!) { deletePerson(id: $id) }"
PERSON = f"query($id: ID!) {{ person(id: $id) {{ {PERSON_FIELDS} }} }}"

CREATE_DEAL = f"""mutation($input: CreateDealInput!) {{
  createDeal(input: $input) {{ {DEAL_FIELDS} }} }}"""
UPDATE_DEAL = f"""mutation($id: ID!, $input: UpdateDealInput!) {{
  updateDeal(id: $id, input: $input) {{ {DEAL_FIELDS} }} }}"""
DELETE_DEAL = "mutation($id: ID!) { deleteDeal(id: $id) }"
DEAL = f"query($id: ID!) {{ deal(id: $id) {{ {DEAL_FIELDS} }} }}"
