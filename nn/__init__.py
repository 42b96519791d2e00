"""nn: PyTorch-style modules, layers, losses and optimizers on `autograd.Tensor`."""
