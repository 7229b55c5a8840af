from enum import StrEnum


class Semantic(StrEnum):
    DENY_ON_FIRST_DENY = "deny_on_first_deny"
    EXECUTE_ALL = "execute_all"
    PERMIT_ON_FIRST_PERMIT = "permit_on_first_permit"

    def __str__(self) -> str:
        return str(self.value)
