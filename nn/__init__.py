"""nn: PyTorch-style modules, layers, losses and optimizers on `autograd.Tensor`.

    import autograd, nn
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 1))
    optimizer = nn.optim.SGD(net.parameters(), lr=0.01)
    loss = nn.MSELoss()(net(x), y)
"""
from . import functional, init, optim, utils
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList
from .io import LoadError, load, save
from .layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh
from .losses import CrossEntropyLoss, L1Loss, MSELoss
from .module import IncompatibleKeys, Module, Parameter
from .optim import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = ["Module", "Parameter", "IncompatibleKeys", "Linear", "ReLU", "Sigmoid", "Tanh",
           "Identity", "Sequential", "MSELoss", "L1Loss", "CrossEntropyLoss", "SGD", "Adam",
           "AdamW", "RMSprop", "Adagrad", "functional", "optim", "save", "load", "LoadError",
           "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "init", "utils"]
