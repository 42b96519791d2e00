"""nn: PyTorch-style modules, layers, losses and optimizers on `autograd.Tensor`.

    import autograd, nn
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 1))
    optimizer = nn.optim.SGD(net.parameters(), lr=0.01)
    loss = nn.MSELoss()(net(x), y)
"""
from . import functional, init, optim, utils
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU6,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d
from .flatten import Flatten, Unflatten
from .io import LoadError, load, save
from .layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module, Parameter
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    LayerNorm,
)
from .optim import SGD, Adagrad, Adam, AdamW, RMSprop
from .pooling import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    Upsample,
)
from .sparse import Embedding

__all__ = [
    # the framework
    "Module", "Parameter", "IncompatibleKeys", "Sequential", "ModuleList", "ModuleDict",
    "ParameterList", "ParameterDict", "functional", "init", "utils", "optim", "save", "load",
    "LoadError",
    # layers
    "Linear", "Identity", "Embedding", "Flatten", "Unflatten",
    "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
    "Dropout", "Dropout1d", "Dropout2d", "AlphaDropout",
    # activations
    "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish",
    "Softplus", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid", "GLU",
    "Softmax", "LogSoftmax", "Softmin",
    # losses
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    # optimizers (also under nn.optim)
    "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
]
