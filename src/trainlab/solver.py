"""Minibatch training of a classification model, with the bookkeeping the notebooks plot.

A model is anything with a `params` dict of arrays and `loss(X, y=None)` returning scores
(y None) or (loss, grads) with grads under the names of params (see model.FullyConnectedNet).

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_schedule="step_decay", schedule_params={"drop": 0.5, "every": 5},
                    num_epochs=10, batch_size=100, seed=0)
    solver.train()
    solver.loss_history, solver.val_acc_history, solver.best_val_acc

Every parameter gets its own deep copy of optim_config (so each has its own velocity, moments and
step count). At the start of every epoch (counted from 0) the learning rate of every parameter is
set to lr_schedule(lr0, epoch, **schedule_params). Accuracy is measured before training and after
every epoch; the parameters with the best validation accuracy are restored at the end.
"""
import copy
import inspect
import sys

import numpy as np
from tqdm import tqdm

from . import optimizers, schedules

RATIO_FLOOR = 1e-12  # ||w|| below this counts as zero in the update-to-weight ratio


class Solver:
    """Trains `model` on data = {'X_train', 'y_train', 'X_val', 'y_val'} (arrays, N examples first).

    update_rule: a name known to optimizers.get_rule, or a rule(w, dw, config) -> (next_w, config).
    lr_schedule: None (constant), a name known to schedules.get_schedule, or callable(lr0, epoch).
    num_train_samples / num_val_samples: how many examples check_accuracy uses at epoch ends
    (None = all). print_every: iterations between loss prints (0 = never); verbose=False prints
    no messages; progress=True shows a tqdm bar, on stdout (nbgrader fails a cell that writes to
    stderr). seed: seeds the minibatch order and the accuracy subsets.
    """

    def __init__(self, model, data, update_rule="sgd", optim_config=None, lr_schedule=None,
                 schedule_params=None, batch_size=100, num_epochs=10, num_train_samples=1000,
                 num_val_samples=None, print_every=100, verbose=True, progress=True, seed=None):
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = optimizers.get_rule(update_rule) if isinstance(update_rule, str) else update_rule
        self.optim_config = dict(optim_config or {})
        self.schedule, self.schedule_params = self._resolve_schedule(lr_schedule, schedule_params, num_epochs)
        self.batch_size, self.num_epochs = batch_size, num_epochs
        self.num_train_samples, self.num_val_samples = num_train_samples, num_val_samples
        self.print_every, self.verbose, self.progress = print_every, verbose, progress
        self.rng = np.random.default_rng(seed)
        self._reset()

    @staticmethod
    def _resolve_schedule(lr_schedule, schedule_params, num_epochs):
        """The schedule callable and its keyword arguments; `total` defaults to num_epochs."""
        params = dict(schedule_params or {})
        if lr_schedule is None:
            return None, params
        schedule = schedules.get_schedule(lr_schedule) if isinstance(lr_schedule, str) else lr_schedule
        try:
            takes_total = "total" in inspect.signature(schedule).parameters
        except (TypeError, ValueError):  # builtins and some callables have no signature
            takes_total = False
        if takes_total:
            params.setdefault("total", num_epochs)
        return schedule, params

    def _reset(self):
        """Fresh histories and one optimizer config per parameter."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        self.loss_history, self.train_acc_history, self.val_acc_history = [], [], []
        self.lr_history = []
        # name -> list of ||next_w - w|| / ||w|| per step, for weight matrices (ndim >= 2)
        self.update_ratio_history = {k: [] for k, v in self.model.params.items() if v.ndim >= 2}
        self.optim_configs = {k: copy.deepcopy(self.optim_config) for k in self.model.params}
        self.stopped_early = False
        self.stop_reason = None
        self._lr0 = self.optim_config.get("learning_rate")  # else the rule's default, read after step 1

    def _log(self, bar, message):
        """Print to stdout without breaking the progress bar."""
        if not self.verbose:
            return
        if bar is not None:
            bar.write(message, file=sys.stdout)
        else:
            print(message)

    def _learning_rate(self):
        """The learning rate of the first parameter's config (all parameters share one)."""
        first = next(iter(self.optim_configs.values()))
        lr = first.get("learning_rate")
        return None if lr is None else float(lr)

    def _apply_schedule(self):
        """Set every parameter's learning rate for the current epoch."""
        if self.schedule is None or self._lr0 is None:  # _lr0 None: epoch 0 at the rule's default rate
            return
        lr = float(self.schedule(self._lr0, self.epoch, **self.schedule_params))
        for config in self.optim_configs.values():
            config["learning_rate"] = lr

    def _step(self, X_batch, y_batch):
        """One minibatch update; returns the loss. Parameters are left alone if it is not finite."""
        loss, grads = self.model.loss(X_batch, y_batch)
        if not np.isfinite(loss):
            return loss
        for name, w in self.model.params.items():
            next_w, self.optim_configs[name] = self.update_rule(w, grads[name], self.optim_configs[name])
            if name in self.update_ratio_history:
                ratio = np.linalg.norm(next_w - w) / max(np.linalg.norm(w), RATIO_FLOOR)
                self.update_ratio_history[name].append(float(ratio))
            self.model.params[name] = next_w
        return loss

    def _record_accuracy(self, bar):
        """Append train/val accuracy; keep a copy of the parameters if validation improved."""
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._log(bar, f"(epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:.4f}; val acc: {val_acc:.4f}")
        if val_acc > self.best_val_acc or not self.val_acc_history[:-1]:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}

    def _stop(self, bar, t, loss):
        self.stopped_early = True
        self.stop_reason = (f"The loss became {loss} at iteration {t + 1} (during epoch {self.epoch + 1} / "
                            f"{self.num_epochs}), so training stopped; the learning rate is probably too large.")
        self._log(bar, self.stop_reason)

    def _train_epoch(self, bar, t):
        """Run one epoch starting at global iteration t; return the next t, or None after a stop."""
        self._apply_schedule()
        N = self.X_train.shape[0]
        order = self.rng.permutation(N)
        # full batches only (one batch of everything when N < batch_size): iterations_per_epoch of them
        for start in range(0, max(N - self.batch_size, 0) + 1, self.batch_size):
            idx = order[start:start + self.batch_size]
            with np.errstate(all="ignore"):  # a diverging run must not print warnings to stderr
                loss = self._step(self.X_train[idx], self.y_train[idx])
            self.loss_history.append(float(loss))
            self.lr_history.append(self._learning_rate())
            if self._lr0 is None:
                self._lr0 = self._learning_rate()
            if bar is not None:
                bar.update(1)
            if not np.isfinite(loss):
                self._stop(bar, t, loss)
                return None
            if self.print_every and (t + 1) % self.print_every == 0:
                self._log(bar, f"(iteration {t + 1} / {self.num_iterations}) loss: {loss:.6f}")
            t += 1
        return t

    @property
    def iterations_per_epoch(self):
        return max(self.X_train.shape[0] // self.batch_size, 1)

    @property
    def num_iterations(self):
        return self.num_epochs * self.iterations_per_epoch

    def train(self):
        """Run num_epochs epochs of minibatch updates (each example once per epoch, in a random
        order, leftovers smaller than a batch skipped), then restore the best parameters."""
        self._record_accuracy(None)
        bar = tqdm(total=self.num_iterations, file=sys.stdout, leave=False) if self.progress else None
        t = 0
        try:
            for _ in range(self.num_epochs):
                t = self._train_epoch(bar, t)
                if t is None:
                    break
                self.epoch += 1
                self._record_accuracy(bar)
        finally:
            if bar is not None:
                bar.close()
        self.model.params = {k: v.copy() for k, v in self.best_params.items()}

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of examples whose highest score is the label y.

        X: (N, ...), y: (N,). num_samples: evaluate a random subset of this size (None = all).
        The model runs in test mode, batch_size examples at a time.
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            idx = self.rng.choice(N, num_samples, replace=False)
            X, y = X[idx], y[idx]
            N = num_samples
        predictions = []
        for start in range(0, N, batch_size):
            with np.errstate(all="ignore"):  # parameters may hold huge values after a diverging run
                scores = self.model.loss(X[start:start + batch_size])
            predictions.append(np.argmax(scores, axis=1))
        return float(np.mean(np.concatenate(predictions) == y)) if N else 0.0
