"""`make lab`: JupyterLab as a student sees it (`jupyter lab --config=.lab/jupyter_lab_config.py`).

Only this launch reads these settings; the instructor's own `jupyter lab` is unchanged.
"""

from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (provided by Jupyter)

# The "python3" kernel of kernels/: TensorFlow's C++ start-up lines go to this terminal,
# not into the notebook (as when the autograder runs it).
c.KernelSpecManager.kernel_dirs = [str(HERE / "kernels"), *KernelSpecManager().kernel_dirs]
