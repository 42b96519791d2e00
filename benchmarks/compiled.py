"""autograd.compile against eager, hand-written numpy, PyTorch and micrograd, side by side.

* The lecture MLP step (benchmarks/lecture_mlp.py's model, data and SGD): compiled, eager,
  the hand-written numpy step and PyTorch's eager step; the compiled losses must equal the
  eager ones bit for bit.
* The recording cost: the first (recorded) call against an eager step.
* micrograd's demo step written the micrograd way (benchmarks/scalar_mlp.py, one node per
  `*` and `+`), compiled, against the real micrograd package when it is installed
  (`pip install micrograd`; else the reference class of scalar_mlp.py), with the garbage
  collector on and off in both.
* The digits CNN epoch, compiled, against PyTorch: reported when the model's layers exist.
"""
from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):                       # run as a script: python benchmarks/...
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import interleaved, lecture_mlp, scalar_mlp, verdict  # noqa: E402


def _best(fn: Callable[[], Any], steps: int, repeats: int) -> float:
    """Best-of-`repeats` milliseconds per call over `steps` calls."""
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - t) / steps * 1e3)
    return best


def _lecture(quick: bool) -> dict:
    import autograd  # noqa: F401  (the package, before autograd.compile)
    from autograd.compile import compile
    steps = 200 if quick else 2000
    problem = lecture_mlp.make_problem()
    out: dict[str, Any] = {}
    eager = lecture_mlp.ours_trainer(*problem)
    replayed = compile(lecture_mlp.ours_trainer(*problem))
    t = time.perf_counter()
    first = replayed()
    out["record_ms"] = (time.perf_counter() - t) * 1e3
    t = time.perf_counter()
    eager_first = eager()
    out["eager_first_ms"] = (time.perf_counter() - t) * 1e3
    same = first == eager_first
    for _ in range(50):
        same = same and eager() == replayed()
    out["bit_identical"] = same
    trainers = {"numpy": lecture_mlp.numpy_trainer(*problem), "eager": eager,
                "compiled": replayed}
    try:
        import torch
        torch.set_num_threads(1)
        trainers["torch"] = lecture_mlp.torch_trainer(*problem)
    except ImportError:
        out["torch_ms"] = None
    for step in trainers.values():      # warm up
        for _ in range(20):
            step()
    ms = interleaved(trainers, 10, steps // 50)
    for name in trainers:
        out[f"{name}_ms"] = ms[name]
    return out


def _micrograd_step(n: int) -> Callable[[], float] | None:
    """The micrograd demo's step with the real package (None when it is not installed)."""
    try:
        from micrograd.engine import Value as MValue  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: E501
    except ImportError:
        return None
    rng = random.Random(0)
    layers = scalar_mlp.build_mlp(MValue, rng)
    X, Y = scalar_mlp.make_data(rng, n)
    return lambda: scalar_mlp.training_step(MValue, layers, X, Y)


def _scalar(quick: bool) -> dict:
    from autograd import Value
    from autograd.compile import compile
    repeats = 1 if quick else 3
    rng = random.Random(0)
    layers = scalar_mlp.build_mlp(Value, rng)
    n = 30 if quick else 100
    X, Y = scalar_mlp.make_data(rng, n)
    eager = (lambda: scalar_mlp.training_step(Value, layers, X, Y))
    rng2 = random.Random(0)
    layers2 = scalar_mlp.build_mlp(Value, rng2)
    replayed = compile(lambda: scalar_mlp.training_step(Value, layers2, X, Y))
    t = time.perf_counter()
    replayed()
    replayed()          # (its inputs are Values made inside: it records twice)
    record_ms = (time.perf_counter() - t) * 1e3
    micro = _micrograd_step(n)
    out: dict[str, Any] = {"micrograd": "micrograd" if micro is not None else "reference",
                           "record_ms": record_ms}
    if micro is None:
        rng3 = random.Random(0)
        ref_layers = scalar_mlp.build_mlp(scalar_mlp.RefScalar, rng3)
        micro = (lambda: scalar_mlp.training_step(scalar_mlp.RefScalar, ref_layers, X, Y))
    for gc_on in (True, False):
        was = gc.isenabled()
        if not gc_on:
            gc.disable()
        try:
            tag = "" if gc_on else "_nogc"
            out["micrograd_ms" + tag] = _best(micro, 1, repeats)
            out["eager_ms" + tag] = _best(eager, 1, repeats)
            out["compiled_ms" + tag] = _best(replayed, 1, repeats)
        finally:
            if was:
                gc.enable()
            gc.collect()
    return out


def _digits(quick: bool) -> dict:
    """The digits CNN's epoch with its batch step compiled (Dropout's masks and BatchNorm's
    running statistics replayed), against our eager epoch (the same seed: the epoch losses
    must be equal bit for bit) and PyTorch's epoch, taking turns, numpy's BLAS on one
    thread as PyTorch."""
    try:
        import autograd
        import nn
        from autograd.compile import compile
        from benchmarks import digits_cnn
        digits_cnn.build(nn)
    except (ImportError, AttributeError) as e:
        return {"digits_error": f"the digits CNN cannot be built here ({e})"}
    images, labels = digits_cnn.make_data()
    if quick:
        images, labels = images[:256], labels[:256]
    state = digits_cnn.initial_state()

    def compiled_epoch() -> tuple[Callable[[], float], Any]:
        autograd.manual_seed(0)
        net = digits_cnn.build(nn).float()
        net.load_state_dict({k: autograd.from_numpy(v.copy()) for k, v in state.items()})
        opt = nn.optim.Adam(net.parameters(), lr=1e-2)
        loss_fn = nn.CrossEntropyLoss()
        x_all, y_all = autograd.from_numpy(images), autograd.from_numpy(labels)

        def batch_step(x: Any, y: Any) -> Any:
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            return loss.item()
        step = compile(batch_step)
        epoch_no = [0]

        def epoch() -> float:
            total = 0.0
            for idx in digits_cnn.batches(len(images), epoch_no[0]):
                total += step(x_all[idx], y_all[idx])
            epoch_no[0] += 1
            return total
        return epoch, step
    import warnings
    passes = 1 if quick else 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the same seed and the same batches: equal losses, epoch by epoch
        check, _ = compiled_epoch()
        check_losses = [check() for _ in range(2)]
        eager_check = digits_cnn.ours_epoch(images, labels, state)
        same = check_losses == [eager_check() for _ in range(2)]
        epoch, step = compiled_epoch()
        epoch()                                 # records (both batch sizes) or falls back
        epochs: dict[str, Callable[[], float]] = {
            "compiled": epoch, "eager": digits_cnn.ours_epoch(images, labels, state)}
        threads = None
        try:
            import torch
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            epochs["torch"] = digits_cnn.torch_epoch(images, labels, state)
        except ImportError:
            pass
        best = dict.fromkeys(epochs, float("inf"))
        try:
            with digits_cnn._one_blas_thread():
                for _ in range(passes):
                    for name, fn in epochs.items():     # taking turns: load drift hits all
                        t = time.perf_counter()
                        fn()
                        best[name] = min(best[name], (time.perf_counter() - t) * 1e3)
        finally:
            if threads is not None:
                import torch
                torch.set_num_threads(threads)
    return {"digits_ms": best["compiled"], "digits_eager_ms": best["eager"],
            "digits_torch_ms": best.get("torch"), "digits_fallback": step.fallback,
            "digits_replays": step.replays, "digits_bit_identical": same}


def run(quick: bool = False) -> dict:
    result: dict[str, Any] = {}
    result["lecture"] = _lecture(quick)
    result["scalar"] = _scalar(quick)
    result["digits"] = _digits(quick)
    return result


def rows(r: dict) -> list[str]:
    out = []
    lec = r["lecture"]
    sc = r["scalar"]
    if lec.get("torch_ms"):
        x = lec["compiled_ms"] / lec["torch_ms"]
        out.append(f"| lecture MLP step, compiled | {lec['compiled_ms']:.3f} ms | PyTorch eager "
                   f"{lec['torch_ms']:.3f} ms | {x:.2f}x | <= 0.25x | {verdict(x <= 0.25)} |")
    x = lec["compiled_ms"] / lec["numpy_ms"]
    out.append(f"| lecture MLP step, compiled | {lec['compiled_ms']:.3f} ms | hand-written numpy "
               f"{lec['numpy_ms']:.3f} ms | {x:.2f}x | <= 0.8x | {verdict(x <= 0.8)} |")
    x = lec["compiled_ms"] / lec["eager_ms"]
    out.append(f"| (lecture MLP step, compiled vs eager; bit-identical: {lec['bit_identical']}) | "
               f"{lec['compiled_ms']:.3f} ms | eager {lec['eager_ms']:.3f} ms | {x:.2f}x | | |")
    out.append(f"| recording: the first compiled call (lecture MLP) | {lec['record_ms']:.2f} ms | "
               f"an eager step {lec['eager_ms']:.3f} ms (a first eager step "
               f"{lec['eager_first_ms']:.2f} ms) | {lec['record_ms'] / lec['eager_ms']:.1f}x | "
               "(reported) | |")
    out.append(f"| recording: the first compiled call (scalar step, recorded twice) | "
               f"{sc['record_ms']:.0f} ms | an eager step {sc['eager_ms']:.0f} ms | "
               f"{sc['record_ms'] / sc['eager_ms']:.1f}x | (reported) | |")
    who = sc["micrograd"]
    x = sc["micrograd_ms"] / sc["compiled_ms"]
    out.append(f"| micrograd demo step (one node per op), compiled | {sc['compiled_ms']:.1f} ms | "
               f"{who} {sc['micrograd_ms']:.1f} ms (gc on) | {x:.1f}x faster | >= 30x | "
               f"{verdict(x >= 30)} |")
    x = sc["micrograd_ms_nogc"] / sc["compiled_ms_nogc"]
    out.append(f"| the same, gc off in both | {sc['compiled_ms_nogc']:.1f} ms | {who} "
               f"{sc['micrograd_ms_nogc']:.1f} ms | {x:.1f}x faster | >= 10x | "
               f"{verdict(x >= 10)} |")
    x = sc["eager_ms"] / sc["compiled_ms"]
    out.append(f"| (scalar step, compiled vs eager) | {sc['compiled_ms']:.1f} ms | eager "
               f"{sc['eager_ms']:.1f} ms | {x:.1f}x faster | | |")
    dg = r["digits"]
    if "digits_error" in dg:
        out.append(f"| digits CNN epoch, compiled | {dg['digits_error']} | | | report | |")
    else:
        how = ("eager: " + dg["digits_fallback"]) if dg["digits_fallback"] else "replayed"
        torch_ms = dg.get("digits_torch_ms")
        if torch_ms:
            x = dg["digits_ms"] / torch_ms
            out.append(f"| digits CNN epoch, compiled ({how}) | {dg['digits_ms']:.0f} ms | "
                       f"PyTorch eager {torch_ms:.0f} ms | {x:.2f}x | <= 1x | "
                       f"{verdict(x <= 1)} |")
        x = dg["digits_ms"] / dg["digits_eager_ms"]
        out.append(f"| (digits CNN epoch, compiled vs eager; bit-identical: "
                   f"{dg['digits_bit_identical']}) | {dg['digits_ms']:.0f} ms | eager "
                   f"{dg['digits_eager_ms']:.0f} ms | {x:.2f}x | | |")
    return out


if __name__ == "__main__":      # pragma: no cover
    import json
    res = run(quick="--quick" in sys.argv)
    print(json.dumps(res, indent=1, default=str))
    print("\n".join(rows(res)))
