"""nn.optim: PyTorch's optimizers and learning-rate schedules, on `autograd.Tensor`.

    optimizer = nn.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    scheduler = nn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for x, y in batches:
        optimizer.zero_grad()
        loss_fn(net(x), y).backward()
        optimizer.step()
        scheduler.step()

Optimizers (each class docstring states its update as math): `SGD` (momentum,
dampening, weight decay, Nesterov), `Adam` and `AdamW` (amsgrad), `RMSprop` (momentum,
centered), `Adagrad` (lr_decay, initial_accumulator_value); every one takes
`maximize=`, parameter groups (a list of dicts with their own settings, `defaults`
filling the rest), and has `add_param_group`, `zero_grad`, `state_dict` and
`load_state_dict` in PyTorch's layout. Updates run on the parameters' numpy arrays,
outside any graph, in PyTorch's order of operations (float64 trajectories agree with
`torch.optim` to rounding).

Schedules: `lr_scheduler` (also `nn.optim.lr_scheduler.StepLR` and so on).
"""
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer, ParamsT
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "ParamsT", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
           "lr_scheduler"]
