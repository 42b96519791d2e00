"""Functions behind the layers and losses (`import nn.functional as F`), PyTorch's names:
activations in `activation.py`, losses in `loss.py`."""
from .activation import (
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    linear,
    log_softmax,
    logsigmoid,
    mish,
    normalize,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
)
from .conv import conv1d, conv2d, conv_transpose2d
from .dropout import alpha_dropout, dropout, dropout1d, dropout2d
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    check_reduction,
    cross_entropy,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .normalization import batch_norm, group_norm, instance_norm, layer_norm
from .pooling import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
from .sparse import embedding
from .tensor_ops import one_hot, pad

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "mse_loss", "l1_loss",
           "cross_entropy", "check_reduction", "softmin", "normalize", "pad", "one_hot"]
__all__ += ["nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "huber_loss",
            "smooth_l1_loss", "kl_div", "margin_ranking_loss", "hinge_embedding_loss",
            "dropout", "dropout1d", "dropout2d", "alpha_dropout", "batch_norm", "layer_norm",
            "group_norm", "instance_norm", "embedding"]
__all__ += ["leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign",
            "hardtanh", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "glu"]
__all__ += ["conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d",
            "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate"]
