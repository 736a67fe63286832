"""The training loop: one process or many (torchrun), CPU or GPU, resumable at any step."""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from pathlib import Path

import torch
from torch.nn.parallel import DistributedDataParallel

from ..core.errors import ConfigError, ProjectError
from . import distributed
from .checkpoint import atomic_write, save_checkpoint, unwrap
from .data import EvalBatches, TrainBatches
from .distributed import DistInfo
from .evaluation import evaluate, plain_metrics
from .logs import RunLogger, format_duration
from .optim import build_optimizer, build_scheduler
from .rng import capture_global_rng, restore_global_rng, seed_everything
from .runtime import amp_dtype, autocast
from .signals import GracefulStop
from .task import Task

CHECKPOINT_VERSION = 1
# Fault injection for the engine's own tests: after this optimizer step the process waits for
# a signal, so a test can kill it at an exact point. Unset in normal use.
PAUSE_ENV = "ENGINE_PAUSE_AT_STEP"


def train_seed(seed: int, rank: int) -> int:
    """Per-rank seed of training-time randomness (dropout, augmentation), apart from the seed
    that built the data and the model, so the two streams never repeat each other."""
    return seed + 1_000_003 * (rank + 1)


class StopTraining(ProjectError):
    """Raised after a signal once the checkpoint is safely written; exit code 128 + signal."""

    label = "stopped"

    def __init__(self, signum: int, path: Path | None):
        super().__init__(
            f"by signal {signum}; checkpoint saved: {path}; continue with the same command "
            "plus --resume auto"
        )
        self.signum, self.path = signum, path
        self.exit_code = 128 + signum


class Trainer:
    """Owns the model, optimizer, loaders and run folder of one training run.

    `runtime` holds the choices a resume must repeat: device type and thread counts."""

    def __init__(
        self,
        task: Task,
        cfg: dict,
        run_dir: Path,
        info: DistInfo,
        device: torch.device,
        runtime: dict,
        datasets,
        model: torch.nn.Module,
        write_files: bool = True,
    ):
        if not isinstance(task.primary_metric, str) or not task.primary_metric:
            raise ConfigError(f"{type(task).__name__}.primary_metric must name a metric")
        self.task, self.cfg, self.run_dir, self.info = task, cfg, run_dir, info
        self.device, self.runtime = device, runtime
        self.is_writer = write_files and info.is_main
        self.amp = amp_dtype(cfg.get("amp", "auto"), device)

        train_set, val_set = datasets
        self.train_batches = TrainBatches(train_set, cfg, device, info)
        self.eval_batches = EvalBatches(val_set, cfg, device, info)
        self.steps_per_epoch = self.train_batches.steps_per_epoch

        model = model.to(device)
        if info.enabled and device.type == "cuda" and _has_batchnorm(model):
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        self.model = model  # the plain module: saved, evaluated
        self.optimizer = build_optimizer(model, cfg)
        self.scheduler = build_scheduler(self.optimizer, cfg, self.steps_per_epoch)
        self.scaler = _grad_scaler(device, enabled=self.amp == torch.float16)
        train_model = model
        if info.enabled:
            train_model = DistributedDataParallel(
                model, device_ids=[device.index] if device.type == "cuda" else None
            )
        self.eval_model = model
        if cfg.get("compile"):
            train_model = torch.compile(train_model)
            self.eval_model = torch.compile(model)
        self.train_model = train_model
        self.num_parameters = sum(p.numel() for p in model.parameters())

        # Progress of the run; a checkpoint restores all of it.
        self.epoch = 0  # completed epochs
        self.step = 0  # optimizer steps over the whole run
        self.step_in_epoch = 0
        self.loss_sum = torch.zeros((), device=device)
        self.loss_count = 0
        self.best = {"value": None, "epoch": None, "metrics": {}}
        self.history: list[dict] = []  # log.csv rows; kept in checkpoints, so log == checkpoint
        self.train_seconds = 0.0
        self.epoch_loader_state = self.train_batches.state_dict()
        self.pause_at_step = int(os.environ.get(PAUSE_ENV, "0") or 0)
        # Sync points (loss read, and under torchrun the agreed stop check): every log_every
        # steps, or more often when steps are slow (see _plan_sync_points).
        self.sync_every = max(1, int(cfg.get("log_every", 50)))
        # torchrun starts workers in their own sessions: if the launcher is killed they live on.
        self.launcher_pid = os.getppid() if info.enabled else None
        self.logger = RunLogger(
            run_dir,
            enabled=self.is_writer,
            progress=cfg.get("progress", "auto"),
            epochs=int(cfg["epochs"]),
        )

    # ---- checkpoints ---------------------------------------------------------------------------
    def state_dict(self, reason: str) -> dict:
        """Everything needed to continue bit-identically; random states of every rank."""
        # Mid-epoch, the loader state is the one the epoch started from (the epoch is replayed
        # and its first steps skipped); between epochs it is the current one.
        loader = self.epoch_loader_state if self.step_in_epoch else self.train_batches.state_dict()
        per_rank = distributed.all_gather_objects(
            {"global": capture_global_rng(), "loader": loader}
        )
        return {
            "version": CHECKPOINT_VERSION,
            "reason": reason,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "step_in_epoch": self.step_in_epoch,
            "epoch_loss": {"sum": self.loss_sum.detach().cpu(), "count": self.loss_count},
            "rng": per_rank,
            "best": self.best,
            "history": self.history,
            "train_seconds": self.train_seconds,
            "finished": self.epoch >= int(self.cfg["epochs"]) and self.step_in_epoch == 0,
            "config": self.cfg,
            "runtime": self.runtime,
            "torch_version": str(torch.__version__),
        }

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.epoch, self.step = state["epoch"], state["step"]
        self.step_in_epoch = state["step_in_epoch"]
        self.loss_sum = state["epoch_loss"]["sum"].to(self.device)
        self.loss_count = state["epoch_loss"]["count"]
        self.best = state["best"]
        self.history = list(state.get("history", []))
        self.train_seconds = state["train_seconds"]
        ranks = state["rng"]
        if len(ranks) == self.info.world_size:
            restore_global_rng(ranks[self.info.rank]["global"])
            self.train_batches.load_state_dict(ranks[self.info.rank]["loader"])
        else:  # another number of processes: continue correctly, but not bit-identically
            self.logger.print(
                f"note: checkpoint written by {len(ranks)} process(es), resuming with "
                f"{self.info.world_size}: data order and random streams are re-seeded"
            )
            seed_everything(train_seed(int(self.cfg["seed"]) + self.step, self.info.rank))
            self.train_batches.load_state_dict(ranks[0]["loader"])
        self.epoch_loader_state = self.train_batches.state_dict()

    def save(self, reason: str) -> Path | None:
        """Write a checkpoint (rank 0); every rank must call it (it gathers random states)."""
        at_epoch_end = self.step_in_epoch == 0
        value = self.best["value"]
        is_best = at_epoch_end and self.best["epoch"] == self.epoch and value is not None
        state = self.state_dict(reason)
        path = None
        if self.is_writer:
            path = save_checkpoint(
                state,
                self.run_dir / "checkpoints",
                epoch_file=at_epoch_end,
                is_best=is_best,
                keep_last=int(self.cfg.get("keep_last", 2)),
            )
        distributed.barrier()
        return path

    # ---- the loop ------------------------------------------------------------------------------
    def train_step(self, batch: tuple) -> torch.Tensor:
        """One optimizer step on a batch already on the device; returns the detached loss."""
        with autocast(self.device, self.amp):
            loss = self.task.compute_loss(self.train_model, batch)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        clip = float(self.cfg.get("grad_clip") or 0.0)
        if clip > 0:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return loss.detach()

    def run_epoch_steps(self, stop: GracefulStop | None, max_steps: int | None = None) -> None:
        """Steps of the current epoch from step_in_epoch on (the whole training inner loop).

        Reads the loss (a GPU sync) only at sync points, every `sync_every` steps."""
        save_every = int(self.cfg.get("save_every_steps") or 0)
        samples_per_step = self.train_batches.batch_size * self.info.world_size
        self.train_model.train()
        window_start, window_steps = time.perf_counter(), 0
        for done, batch in enumerate(self.train_batches.epoch(skip=self.step_in_epoch), 1):
            loss = self.train_step(self.task.augment(batch))
            self.loss_sum += loss.float()
            self.loss_count += 1
            self.step += 1
            self.step_in_epoch += 1
            window_steps += 1
            self.logger.advance()
            if self.step == self.pause_at_step and stop is not None:
                self._wait_for_signal(stop)
            last = self.step_in_epoch == self.steps_per_epoch
            if self.step % self.sync_every == 0 or last:
                mean = (self.loss_sum / self.loss_count).item()  # the one sync point
                if not math.isfinite(mean):
                    raise FloatingPointError(
                        f"training loss is {mean} at step {self.step}; lower optimizer.lr or "
                        "set grad_clip, then resume from the last checkpoint"
                    )
                elapsed = time.perf_counter() - window_start
                rate = window_steps * samples_per_step / max(elapsed, 1e-9)
                self.logger.update(
                    mean, rate, self._eta(elapsed / window_steps), f"step {self.step}"
                )
                window_start, window_steps = time.perf_counter(), 0
                if stop is not None and self._should_stop(stop, check_all=True):
                    raise StopTraining(stop.signum or 15, self.save("signal"))
            elif stop is not None and self._should_stop(stop, check_all=False):
                raise StopTraining(stop.signum or 15, self.save("signal"))
            if save_every and self.step % save_every == 0 and not last:
                self.save("interval")
            if max_steps is not None and done >= max_steps:
                return

    def _wait_for_signal(self, stop: GracefulStop, timeout_s: float = 120.0) -> None:
        self.logger.print(f"{PAUSE_ENV}: paused after step {self.step}, waiting for a signal")
        deadline = time.monotonic() + timeout_s
        while not stop.requested and not self._orphaned() and time.monotonic() < deadline:
            time.sleep(0.005)

    def _orphaned(self) -> bool:
        """True when the torchrun agent that started this worker has died: save and stop."""
        return self.launcher_pid is not None and os.getppid() != self.launcher_pid

    def _should_stop(self, stop: GracefulStop, check_all: bool) -> bool:
        """Single process: every step. Under torchrun the ranks must agree on the step,
        so the flag is exchanged (a collective) only at the log points."""
        if not self.info.enabled:
            return stop.requested
        if not check_all:
            return False
        agreed = distributed.any_rank(stop.requested or self._orphaned(), self.device)
        if agreed and stop.signum is None:
            stop.signum = 15
        return agreed

    def _plan_sync_points(self, seconds_per_step: float, interval_s: float = 2.0) -> None:
        """At most ~2 s between sync points, so a SIGTERM under torchrun is acted on quickly
        even when steps are slow; rank 0's choice, so every rank syncs at the same steps."""
        log_every = max(1, int(self.cfg.get("log_every", 50)))
        wanted = max(1, min(log_every, int(interval_s / max(seconds_per_step, 1e-9))))
        self.sync_every = distributed.broadcast_object(wanted)

    def _eta(self, seconds_per_step: float) -> float:
        remaining = int(self.cfg["epochs"]) * self.steps_per_epoch - self.step
        return remaining * seconds_per_step

    def fit(self, resume_state: dict | None = None, stop: GracefulStop | None = None) -> dict:
        """Train to cfg['epochs'], evaluating and checkpointing after every epoch.

        SIGTERM / Ctrl-C (caught by `stop`, or here when None) end the run after the current
        step with a checkpoint, by raising StopTraining."""
        if resume_state is not None:
            self.load_state_dict(resume_state)
        epochs = int(self.cfg["epochs"])
        self.logger.open(self.history, resume_step=self.step if resume_state else None)
        try:
            with contextlib.nullcontext(stop) if stop else GracefulStop() as stop:
                while self.epoch < epochs:
                    self._one_epoch(stop)
                    if self._should_stop(stop, check_all=True):
                        # The epoch-end checkpoint already holds everything.
                        raise StopTraining(stop.signum or 15, self.run_dir / "checkpoints/last.pt")
        finally:
            self.logger.close()
        return self.finish()

    def _one_epoch(self, stop: GracefulStop) -> None:
        start = time.perf_counter()
        resumed_steps = self.step_in_epoch
        if resumed_steps == 0:
            self.epoch_loader_state = self.train_batches.state_dict()
            self.loss_sum.zero_()
            self.loss_count = 0
        self.logger.start_epoch(self.epoch + 1, self.steps_per_epoch, resumed_steps)
        self.run_epoch_steps(stop)
        train_loss = (self.loss_sum / max(1, self.loss_count)).item()
        train_time = time.perf_counter() - start
        distributed.broadcast_buffers(self.model)  # evaluate what rank 0 will save
        metrics = evaluate(self.task, self.eval_model, self.eval_batches, self.device, self.amp)
        metrics = plain_metrics(metrics)  # plain floats and lists: weights_only-safe
        self.epoch += 1
        self.step_in_epoch = 0
        self.train_seconds += time.perf_counter() - start
        value = self.task.primary_value(metrics)
        if self.task.is_better(value, self.best["value"]):
            self.best = {"value": float(value), "epoch": self.epoch, "metrics": metrics}
        steps_run = self.steps_per_epoch - resumed_steps
        self._plan_sync_points(train_time / max(1, steps_run))
        row = {
            "epoch": self.epoch,
            "step": self.step,
            "train_loss": train_loss,
            "lr": self.optimizer.param_groups[0]["lr"],
            "samples_per_s": steps_run
            * self.train_batches.batch_size
            * self.info.world_size
            / max(train_time, 1e-9),
            "epoch_seconds": time.perf_counter() - start,
            **{f"val_{k}": v for k, v in metrics.items() if isinstance(v, float)},
        }
        per_epoch = time.perf_counter() - start
        remaining = (int(self.cfg["epochs"]) - self.epoch) * per_epoch
        self.history.append(row)
        self.save("epoch")
        self.logger.end_epoch(self.history, self.task.primary_metric, remaining)

    def finish(self) -> dict:
        """metrics.json (best epoch's validation metrics) and the summary; returns the metrics."""
        result = dict(self.best["metrics"])
        result["best_epoch"] = self.best["epoch"]
        result["train_seconds"] = round(self.train_seconds, 3)
        result["num_parameters"] = self.num_parameters
        if self.is_writer:
            text = json.dumps(result, indent=2) + "\n"
            atomic_write(text.encode("utf-8"), self.run_dir / "metrics.json")
            self.print_summary(result)
        return result

    def print_summary(self, result: dict) -> None:
        folder = self.run_dir / "checkpoints"
        primary = self.task.primary_metric
        lines = [
            "",
            f"done: {self.epoch} epochs, {self.step} steps in "
            f"{format_duration(self.train_seconds)} on {self.runtime['device']}"
            f" x{self.info.world_size}",
            f"  best {primary}: {result.get(primary, float('nan')):.4f} "
            f"(epoch {result['best_epoch']})",
            f"  best checkpoint: {folder / 'best.pt'}",
            f"  last checkpoint: {folder / 'last.pt'}",
            f"  metrics:         {self.run_dir / 'metrics.json'}",
            f"  log:             {self.run_dir / 'log.csv'}",
            f"  config:          {self.run_dir / 'config.yaml'}",
        ]
        if (self.run_dir / "tensorboard").is_dir():
            lines.append(f"  tensorboard:     tensorboard --logdir {self.run_dir / 'tensorboard'}")
        print("\n".join(lines), flush=True)


def _grad_scaler(device: torch.device, enabled: bool):
    """Loss scaling for fp16 (bf16 needs none); torch.amp.GradScaler where torch has it."""
    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler(device.type, enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled and device.type == "cuda")


def _has_batchnorm(model: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())


__all__ = ["Trainer", "StopTraining", "plain_metrics", "train_seed", "unwrap"]
