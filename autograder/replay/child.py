"""The clean room: run trusted hidden-test code on the objects a submission captured.

    python -I child.py JOB RESULTS CAPTURE

Runs inside the replay's sandbox, as a script (`-I`: nothing from the environment or
the current folder is imported), so it imports only the standard library, NumPy,
Keras and cnnkit: never the autograder, which the sandbox does not show. It imports
them first, touches `ready` beside RESULTS, and waits for JOB to appear:
`{"tests": [{"id", "captured": [names], "code"}]}`. For each test it loads the
captured objects from `CAPTURE/<id>/` without running any of the student's code
(`load`), binds them to their names, runs the code, and rewrites RESULTS:
`{id: {"status": passed | failed | missing | error, "message", "seconds"}}` (with
"missing": [names] and "leaderboard": [values posted by the test] where there are), after
every test, so a replay that runs out of time still reports the tests it did.
"""

import gc
import json
import os
import sys
import time
import warnings
import zipfile

MAX_UNPACKED = 4 * 1024**3


def save(results: dict, path: str) -> None:
    """Replace the results file at once (the grader may read it at any moment)."""
    with open(path + ".tmp", "w") as handle:
        json.dump(results, handle)
    os.replace(path + ".tmp", path)


def only_keras(node, where):
    """Refuse configs that name anything but Keras's own classes (custom objects)."""
    if isinstance(node, dict):
        module, registered = node.get("module"), node.get("registered_name")
        if module is not None and not (module == "keras" or str(module).startswith("keras.")):
            raise ValueError(f"{where} uses {module}.{node.get('class_name')}, which is not part "
                             "of Keras; only models made of Keras's own layers can be graded")
        if registered not in (None, node.get("class_name")) and not str(registered).startswith(
                "keras"):
            raise ValueError(f"{where} uses the custom object {registered!r}; only models made "
                             "of Keras's own layers can be graded")
        for value in node.values():
            only_keras(value, where)
    elif isinstance(node, list):
        for value in node:
            only_keras(value, where)


MAX_MODELS = 100


def load_model(path: str, name: str):
    """A captured Keras model, refused if it is too large or names anything but Keras."""
    import keras

    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise ValueError(f"the captured model {name} is too large")
        only_keras(json.loads(archive.read("config.json")), f"the captured model {name}")
    return keras.saving.load_model(path, safe_mode=True, compile=True)


def load(folder, name):
    """The captured object `name`, loaded without running any of the student's code.

    A list of models was captured as name.0.keras, name.1.keras, ...: it loads as a list.
    """
    import numpy as np

    paths = [folder + "/" + name + suffix for suffix in (".keras", ".npy", ".json")]
    candidates = [p for p in paths if os.path.isfile(p)]
    if not candidates:
        files = os.listdir(folder) if os.path.isdir(folder) else []
        numbered = sorted((int(f[len(name) + 1:-6]), f) for f in files if f.startswith(
            name + ".") and f.endswith(".keras") and f[len(name) + 1:-6].isdigit())
        if not numbered:
            raise LookupError(name)
        if len(numbered) > MAX_MODELS:
            raise ValueError(f"more than {MAX_MODELS} models were captured as {name}")
        return [load_model(folder + "/" + f, f"{name}[{i}]") for i, f in numbered]
    path = candidates[0]
    if path.endswith(".keras"):
        return load_model(path, name)
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    with open(path) as handle:
        return json.load(handle)


def run_test(test: dict, capture: str) -> dict:
    """{status, message, seconds} of one hidden test on its captured objects."""
    import keras
    import numpy as np

    import cnnkit

    started = time.monotonic()
    entry = {"status": "passed", "message": ""}
    folder = capture + "/" + test["id"]
    namespace = {"cnnkit": cnnkit, "keras": keras, "np": np, "__name__": "__replay__"}
    missing = []
    for name in test["captured"]:
        try:
            namespace[name] = load(folder, name)
        except LookupError:
            missing.append(name)
        except Exception as error:
            entry = {"status": "error", "message": f"cannot load the captured {name}: "
                     f"{type(error).__name__}: {error}"}
            break
    if missing and entry["status"] == "passed":
        entry = {"status": "missing", "message": "", "missing": missing}
    if entry["status"] == "passed":
        try:
            exec(compile(test["code"], "<hidden test>", "exec"), namespace)
        except BaseException as error:
            entry = {"status": "failed", "message": f"{type(error).__name__}: {error}"}
    posted = cnnkit.grading.leaderboard.take()  # measured here, by the trusted test
    if posted:
        entry["leaderboard"] = posted[:10]
    entry["message"] = entry["message"][:1000]
    entry["seconds"] = round(time.monotonic() - started, 2)
    namespace.clear()
    return entry


def main(job_path: str, results_path: str, capture: str) -> None:
    warnings.simplefilter("ignore")
    results = {}
    import keras
    import numpy as np  # noqa: F401

    import cnnkit  # noqa: F401

    open(os.path.join(os.path.dirname(results_path), "ready"), "w").close()
    while not os.path.exists(job_path):
        time.sleep(0.05)
    with open(job_path) as handle:
        job = json.load(handle)
    save(results, results_path)
    for test in job["tests"]:
        results[test["id"]] = run_test(test, capture)
        save(results, results_path)
        keras.backend.clear_session()
        gc.collect()


if __name__ == "__main__":
    main(*sys.argv[1:4])
