"""What a service refuses, in the domain's words and with no HTTP in it. The API's exception
handler (exceptions.py) gives each its answer; the admin shows its message."""


class DomainError(Exception):
    message = ""

    def __init__(self, message: str = ""):
        self.message = message or self.message
        super().__init__(self.message)


class Conflict(DomainError):
    """The request is valid, but the object's state forbids it (activating unscreened...)."""

    message = "This conflicts with the current state of the object."


class Stale(DomainError):
    """The change was made against a version that is no longer current (If-Match)."""

    message = "The object has changed since you read it; fetch it again and retry."


class Invalid(DomainError):
    """Values the current state does not allow, by field in DRF's shape:
    {"status": ["..."]} or nested, {"entries": {"0": {"item": ["..."]}}}."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {error}" for field, error in errors.items()))
