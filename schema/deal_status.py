import strawberry

from models import DealStatus

strawberry.enum(DealStatus, name="DealStatus")  # registers the model's enum; annotate with it

__all__ = ["DealStatus"]
