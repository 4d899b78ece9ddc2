"""nbgrader configuration for the course. The repository root is the course directory."""

import os

# Keep TensorFlow's C++ log lines and Python warnings out of grade cells: nbgrader
# scores a cell 0 when anything reaches stderr, even when every assert passes.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("PYTHONWARNINGS", "ignore")

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "cnnkit"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Training cells take up to a few minutes on a laptop CPU; 600 s per cell leaves
# room for slow machines while still ending a runaway cell.
c.Execute.timeout = 600
c.Execute.interrupt_on_timeout = True
# C-level log lines go to the grader's log instead of the notebook.
c.Execute.extra_arguments = ["--IPKernelApp.capture_fd_output=False"]

# The untouched student notebook raises this at the first answer cell: Run All stops
# there, and the message (under "Cell In[N]") says what to do.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\n'
              'raise NotImplementedError("replace this line with your answer, then run this cell")'
}

# Feedback shows the outcome of hidden tests but never their code or tracebacks.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.HideHiddenTests",
]

# A submission later than its due date (nbgrader's `duedate`, or the one the autograder is
# given: see autograder/deadlines.py) scores 0, nbgrader's one built-in penalty; a course
# that wants a gentler one names its own LateSubmissionPlugin subclass here instead.
c.LateSubmissionPlugin.penalty_method = "zero"
