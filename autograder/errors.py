"""The grader's own failure, as opposed to anything a submission does."""


class GraderError(RuntimeError):
    """The grader failed (not the submission): exit status 2."""
