from enum import StrEnum


class OnDeprovision(StrEnum):
    REMOVE = "remove"
    SUSPEND = "suspend"

    def __str__(self) -> str:
        return str(self.value)
