"""Functions behind the layers and losses (`import nn.functional as F`), PyTorch's names:
activations in `activation.py`, losses in `loss.py`."""
from .activation import linear, log_softmax, relu, sigmoid, softmax, tanh
from .loss import check_reduction, cross_entropy, l1_loss, mse_loss

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "mse_loss", "l1_loss",
           "cross_entropy", "check_reduction"]
