/*
 * cnnkit-student-view: a JupyterLab 4 extension written by hand, no build step.
 *
 * When Run All (or Restart and Run All, Run All Above/Below) stops at a cell that raised,
 * JupyterLab leaves the view at the end of the notebook and the error off-screen. This
 * makes the failed cell the active one and scrolls its error into the middle of the view.
 *
 * JupyterLab loads this file as the `load` entry of package.json's `jupyterlab._build` and
 * treats it as a module federation container: window._JUPYTERLAB[name] = {init, get},
 * get("./extension") giving a factory of a module whose default export is the plugin.
 * The plugin needs only the application (`app`), so it shares no modules with JupyterLab.
 */
(function () {
  'use strict';

  const RUNS = new Set([
    'notebook:run-all-cells',
    'notebook:restart-run-all',
    'notebook:run-all-above',
    'notebook:run-all-below',
    'notebook:restart-and-run-to-selected'
  ]);

  /** Index of the cell that stopped the run: of the cells showing an error, the one the
   * kernel ran last (the cells after it were not run and have no execution count). */
  function failedCellIndex(notebook) {
    let failed = -1;
    let latest = -1;
    notebook.widgets.forEach((cell, index) => {
      const model = cell.model;
      if (model.type !== 'code' || model.executionCount === null) {
        return;
      }
      let raised = false;
      for (let i = 0; i < model.outputs.length; i++) {
        raised = raised || model.outputs.get(i).type === 'error';
      }
      if (raised && model.executionCount > latest) {
        latest = model.executionCount;
        failed = index;
      }
    });
    return failed;
  }

  function nextFrame() {
    return new Promise(resolve => requestAnimationFrame(() => resolve()));
  }

  /** Scroll the error of the failed cell into view: centred, or its top at the top when
   * it is taller than the notebook's view (the message is in its first lines). */
  async function showFailedCell(notebook) {
    const index = failedCellIndex(notebook);
    if (index < 0) {
      return;
    }
    notebook.deselectAll();
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center').catch(() => undefined);
    // Cells off-screen have estimated heights until drawn: settle over a few frames.
    for (let frame = 0; frame < 3; frame++) {
      await nextFrame();
      const errors = notebook.widgets[index].node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
      );
      const error = errors[errors.length - 1]; // the error ends the cell's outputs
      if (error === undefined) {
        return;
      }
      const tall = error.getBoundingClientRect().height > notebook.node.clientHeight;
      error.scrollIntoView({ block: tall ? 'start' : 'center' });
    }
  }

  const plugin = {
    id: 'cnnkit-student-view:show-failed-cell',
    description: 'After Run All stops at an error, scroll the error into view.',
    autoStart: true,
    activate: app => {
      app.commands.commandExecuted.connect((_, { id, result }) => {
        const panel = app.shell.currentWidget;
        const notebook = panel && panel.content;
        if (!RUNS.has(id) || !notebook || typeof notebook.scrollToItem !== 'function') {
          return;
        }
        Promise.resolve(result).then(
          succeeded => {
            if (succeeded === false && !notebook.isDisposed) {
              return showFailedCell(notebook);
            }
          },
          () => undefined // the run's own error is JupyterLab's to report
        );
      });
    }
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB['cnnkit-student-view'] = {
    init: () => undefined, // shares no modules
    get: request => {
      if (request !== './extension') {
        return Promise.reject(new Error(`cnnkit-student-view has no module ${request}`));
      }
      return Promise.resolve(() => ({ __esModule: true, default: plugin }));
    }
  };
})();
