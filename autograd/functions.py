"""The `autograd.NAME` functions, as PyTorch spells them (`torch.exp(x)`, `torch.cat(...)`).

Most are the methods of `Value` and `Tensor` called as functions (`function(Tensor.sum)`):
one definition, in the class. The rest build a node from several tensors (`cat`,
`stack`, `where`) or fuse an op (`linear`, `mse_loss`).
"""
from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from . import rules as R
from . import tensor_rules as T
from .dtypes import ShapeError
from .ops import _DIVISIONS, None_, Ops, _rounding_mode, _scaled, elementwise, function
from .tensor import Tensor, _apply, _dims, _operand, _operand_or_fail, _tensors, as_tensor

__all__ = [
    # elementwise, one per rule of rules.ELEMENTWISE (Values and Tensors)
    "neg", "exp", "log", "log1p", "sin", "cos", "sqrt", "tanh", "sigmoid", "relu", "abs",
    "add", "sub", "mul", "div", "pow",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2", "expm1",
    "log2", "log10", "rsqrt", "reciprocal", "square", "erf", "erfc", "erfinv", "sign", "floor",
    "ceil", "trunc", "round", "frac", "atan2", "hypot", "logaddexp", "copysign", "fmod",
    "remainder", "floor_divide", "lerp", "true_divide", "multiply", "subtract",
    "arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh", "arctanh", "fix",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "isnan", "isinf", "isfinite", "nan_to_num", "isclose", "allclose",
    "equal",
    # tensors
    "matmul", "mv", "mm", "dot", "linear", "maximum", "minimum", "clamp", "clip", "where",
    "cat", "stack", "mse_loss", "sum", "mean", "max", "min", "reshape", "transpose", "permute",
    "squeeze", "unsqueeze", "flatten",
    # reductions and scans
    "var", "std", "var_mean", "std_mean", "prod", "logsumexp", "softmax", "log_softmax",
    "amax", "amin", "argmax", "argmin", "any", "all", "count_nonzero", "cumsum", "cumprod",
    "logcumsumexp", "cummax", "cummin", "sort", "argsort", "topk", "median", "mode", "norm",
    # indexing and rearranging
    "gather", "take", "index_select", "masked_fill", "masked_select", "nonzero", "scatter",
    "scatter_add", "scatter_reduce", "index_add", "flip", "roll", "tile", "repeat_interleave",
    "split", "chunk",
    "unbind", "narrow", "tril", "triu", "diag", "diagonal", "trace", "unflatten", "movedim",
    "moveaxis", "swapaxes", "swapdims", "outer", "ger", "cross", "broadcast_to", "einsum",
    "meshgrid",
]

# ---------------------------------------------------------------- elementwise
neg = elementwise(R.Neg)
exp = elementwise(R.Exp)
log = elementwise(R.Log)
log1p = elementwise(R.Log1p)
sin = elementwise(R.Sin)
cos = elementwise(R.Cos)
sqrt = elementwise(R.Sqrt)
tanh = elementwise(R.Tanh)
sigmoid = elementwise(R.Sigmoid)
relu = elementwise(R.Relu)
abs = elementwise(R.Abs)
tan = elementwise(R.Tan)
asin = arcsin = elementwise(R.Asin)
acos = arccos = elementwise(R.Acos)
atan = arctan = elementwise(R.Atan)
sinh = elementwise(R.Sinh)
cosh = elementwise(R.Cosh)
asinh = arcsinh = elementwise(R.Asinh)
acosh = arccosh = elementwise(R.Acosh)
atanh = arctanh = elementwise(R.Atanh)
exp2 = elementwise(R.Exp2)
expm1 = elementwise(R.Expm1)
log2 = elementwise(R.Log2)
log10 = elementwise(R.Log10)
rsqrt = elementwise(R.Rsqrt)
reciprocal = elementwise(R.Reciprocal)
square = elementwise(R.Square)
erf = elementwise(R.Erf)
erfc = elementwise(R.Erfc)
erfinv = elementwise(R.Erfinv)
sign = elementwise(R.Sign)
floor = elementwise(R.Floor)
ceil = elementwise(R.Ceil)
trunc = fix = elementwise(R.Trunc)
frac = elementwise(R.Frac)


def round(input: Any, decimals: Any = None_) -> Any:
    """input rounded half to even (at `decimals` digits, 0 by default)."""
    if isinstance(input, Ops):
        return input.round(decimals=decimals)
    return R._round(R._raw(input, "round"), 0 if decimals is None_ else int(decimals))


def atan2(input: Any, other: Any) -> Any:
    """atan2(input, other): the angle of the point (other, input)."""
    return _binary(R.Atan2, input, other)


arctan2 = atan2


def hypot(input: Any, other: Any) -> Any:
    """sqrt(input^2 + other^2)."""
    return _binary(R.Hypot, input, other)


def logaddexp(input: Any, other: Any) -> Any:
    """ln(e^input + e^other)."""
    return _binary(R.Logaddexp, input, other)


def copysign(input: Any, other: Any) -> Any:
    """|input| with the sign of other."""
    return _binary(R.Copysign, input, other)


def fmod(input: Any, other: Any) -> Any:
    """input - trunc(input/other) other (the sign of input)."""
    return _binary(R.Fmod, input, other)


def remainder(input: Any, other: Any) -> Any:
    """input - floor(input/other) other (the sign of other, Python's %)."""
    return _binary(R.Remainder, input, other)


def floor_divide(input: Any, other: Any) -> Any:
    """floor(input / other) (Python's //); not differentiable."""
    return _binary(R.FloorDivide, input, other)


def lerp(input: Any, end: Any, weight: Any) -> Any:
    """input + weight (end - input)."""
    if isinstance(input, Ops):
        return input.lerp(end, weight)
    if isinstance(end, Ops) or isinstance(weight, Ops):
        return (R.Lerp.apply(input, end, weight) if isinstance(weight, Ops)
                else R.LerpScalar.apply(input, end, saved=(float(weight),)))
    return R._lerp(R._raw(input, "lerp"), R._raw(end, "lerp"), R._raw(weight, "lerp"))


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """input + alpha other."""
    if isinstance(input, Ops):
        return input.add(other, alpha=alpha)
    return _binary(R.Add, input, _scaled(other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """input - alpha other."""
    if isinstance(input, Ops):
        return input.sub(other, alpha=alpha)
    return _binary(R.Sub, input, _scaled(other, alpha))


subtract = sub


def mul(input: Any, other: Any) -> Any:
    """input * other."""
    return _binary(R.Mul, input, other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: Any = None_) -> Any:
    """input / other (rounding_mode "trunc" or "floor": the quotient rounded)."""
    return _binary(_DIVISIONS[_rounding_mode(rounding_mode, "div")], input, other)


true_divide = div

bitwise_and = function(Tensor.bitwise_and)
bitwise_or = function(Tensor.bitwise_or)
bitwise_xor = function(Tensor.bitwise_xor)
bitwise_not = function(Tensor.bitwise_not)
bitwise_left_shift = function(Tensor.bitwise_left_shift)
bitwise_right_shift = function(Tensor.bitwise_right_shift)
isnan = function(Tensor.isnan)
isinf = function(Tensor.isinf)
isfinite = function(Tensor.isfinite)
nan_to_num = function(Tensor.nan_to_num)
isclose = function(Tensor.isclose)
allclose = function(Tensor.allclose)
equal = function(Tensor.equal)


def _clamp_with_tensors(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """clamp with tensor bounds (broadcasting; either may be None): one ClampBackward0 node,
    gradients to the input and to the bounds as PyTorch gives them (Tensor.clamp calls
    this when a bound is a tensor)."""
    x = as_tensor(input)
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    bounds = [None if b is None else as_tensor(b) for b in (min, max)]
    bounds = [b if b is None or b.dtype == x.dtype else b.to(x.dtype) for b in bounds]
    return _apply(R.ClampTensor, (x, *bounds))


def pow(input: Any, exponent: Any) -> Any:
    """input ** exponent."""
    return _binary(R.Pow, input, exponent)


def _binary(rule: type[R.Rule], a: Any, b: Any) -> Any:
    """A two-input elementwise rule on Values or Tensors (numbers are constants); on two
    numbers, the plain result (`autograd.pow(2, 10) == 1024.0`)."""
    if isinstance(a, Ops) or isinstance(b, Ops):
        return rule.apply(a, b)
    if rule is R.Pow:
        return R.pow_(a, b)
    return rule.forward(R._raw(a, rule.name), R._raw(b, rule.name))


def matmul(input: Any, other: Any) -> Tensor:
    """input @ other with numpy's rules (1-d, 2-d, batched)."""
    return as_tensor(input).matmul(other)


def mv(input: Any, vec: Any) -> Tensor:
    """Matrix (n, k) times vector (k,)."""
    return as_tensor(input).mv(vec)


def mm(input: Any, mat2: Any) -> Tensor:
    """Matrix (n, k) times matrix (k, m)."""
    return as_tensor(input).mm(mat2)


def dot(input: Any, other: Any) -> Tensor:
    """Dot product of two vectors of the same length."""
    return as_tensor(input).dot(other)


def linear(input: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight^T + bias, one fused node (nn.Linear)."""
    x = input if isinstance(input, Tensor) else as_tensor(input)
    xs, ws = x._data.shape, weight._data.shape
    if x._data.dtype is not weight._data.dtype and x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"linear: the input is {x.dtype} and the weight {weight.dtype}; "
                           "they must match, as in PyTorch: convert the input (x.double(), "
                           "x.float()) or the model (model.double(), model.to(x.dtype))")
    if not xs or len(ws) != 2 or xs[-1] != ws[1]:
        raise ShapeError(f"linear: input of shape {x.shape} does not fit a weight of shape "
                         f"{weight.shape} (the input's last dimension must be in_features = "
                         f"{weight.shape[-1] if weight.ndim else '?'})")
    if bias is None:
        return x.matmul(weight.T)
    return _apply(T.Linear, (x, weight, bias))


def maximum(input: Any, other: Any) -> Tensor:
    """The elementwise maximum."""
    return as_tensor(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """The elementwise minimum."""
    return as_tensor(input).minimum(other)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Each element limited to [min, max]."""
    return as_tensor(input).clamp(min, max)


clip = clamp


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """input where condition is true, else other (condition: a boolean tensor or array);
    `where(condition)` alone is `condition.nonzero(as_tuple=True)`."""
    if input is None and other is None:
        return as_tensor(condition).nonzero(as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    return _apply(R.Where, (_operand_or_fail(input, "where"), _operand_or_fail(other, "where")),
                  (c.astype(bool),))


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along an existing dimension."""
    ts = _tensors(tensors, "cat")
    (d,) = _dims(dim, ts[0].ndim, "cat") or (0,)
    return _apply(T.Cat, tuple(ts), (d,))


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along a new dimension."""
    ts = _tensors(tensors, "stack")
    n = ts[0].ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"stack: dim {dim} is out of range for a result with {n} dims")
    return _apply(T.Stack, tuple(ts), (dim % n,))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2) as one fused node ("sum" or "none" for the other reductions)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return _apply(T.MSELoss, (as_tensor(input), _operand(target)), (reduction,))


# ---------------------------------------------------------------- methods as functions
sum = function(Tensor.sum)
mean = function(Tensor.mean)
max = function(Tensor.max)
min = function(Tensor.min)
reshape = function(Tensor.reshape)
transpose = function(Tensor.transpose)
permute = function(Tensor.permute)
squeeze = function(Tensor.squeeze)
unsqueeze = function(Tensor.unsqueeze)
flatten = function(Tensor.flatten)
var = function(Tensor.var)
std = function(Tensor.std)
prod = function(Tensor.prod)
logsumexp = function(Tensor.logsumexp)
softmax = function(Tensor.softmax)
log_softmax = function(Tensor.log_softmax)
amax = function(Tensor.amax)
amin = function(Tensor.amin)
argmax = function(Tensor.argmax)
argmin = function(Tensor.argmin)
any = function(Tensor.any)
all = function(Tensor.all)
count_nonzero = function(Tensor.count_nonzero)
cumsum = function(Tensor.cumsum)
cumprod = function(Tensor.cumprod)
logcumsumexp = function(Tensor.logcumsumexp)
cummax = function(Tensor.cummax)
cummin = function(Tensor.cummin)
sort = function(Tensor.sort)
argsort = function(Tensor.argsort)
topk = function(Tensor.topk)
median = function(Tensor.median)
mode = function(Tensor.mode)
norm = function(Tensor.norm)
gather = function(Tensor.gather)
take = function(Tensor.take)
index_select = function(Tensor.index_select)
masked_fill = function(Tensor.masked_fill)
masked_select = function(Tensor.masked_select)
nonzero = function(Tensor.nonzero)
scatter = function(Tensor.scatter)
scatter_add = function(Tensor.scatter_add)
scatter_reduce = function(Tensor.scatter_reduce)
index_add = function(Tensor.index_add)
flip = function(Tensor.flip)
roll = function(Tensor.roll)
tile = function(Tensor.tile)
repeat_interleave = function(Tensor.repeat_interleave)
split = function(Tensor.split)
chunk = function(Tensor.chunk)
unbind = function(Tensor.unbind)
narrow = function(Tensor.narrow)
tril = function(Tensor.tril)
triu = function(Tensor.triu)
diag = function(Tensor.diag)
diagonal = function(Tensor.diagonal)
trace = function(Tensor.trace)
unflatten = function(Tensor.unflatten)
movedim = function(Tensor.movedim)
moveaxis = function(Tensor.moveaxis)
swapaxes = function(Tensor.swapaxes)
swapdims = function(Tensor.swapdims)
outer = function(Tensor.outer)
ger = function(Tensor.ger)
cross = function(Tensor.cross)
broadcast_to = function(Tensor.broadcast_to)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(var, mean) over `dim` (see Tensor.var)."""
    v = input.var(dim, unbiased, keepdim, correction=correction)
    return v, input.mean(dim if not isinstance(dim, bool) else None, keepdim)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(std, mean) over `dim` (see Tensor.std)."""
    v = input.std(dim, unbiased, keepdim, correction=correction)
    return v, input.mean(dim if not isinstance(dim, bool) else None, keepdim)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as torch.einsum ("ij,jk->ik"; "..." for broadcast dimensions;
    without "->" the output is the letters seen once, in alphabetical order). One node;
    the gradient of each operand is an einsum of g with the other operands."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [as_tensor(t) for t in operands]
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ts):
        raise ValueError(f"einsum: the equation {equation!r} has {len(ins)} operands, "
                         f"{len(ts)} tensors were given")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, t in zip(ins, ts):
        if "..." in s:
            n_ell = builtins.max(n_ell, t.ndim - (len(s) - 3))
    ell = "".join(spare[:n_ell])
    fixed = []
    for s, t in zip(ins, ts):
        if "..." in s:
            k = t.ndim - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k:] if k else "")
        if len(s) != t.ndim or not builtins.all(c.isalpha() for c in s):
            raise ValueError(f"einsum: subscripts {s!r} do not fit an operand of shape "
                             f"{t.shape}")
        fixed.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(fixed)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    dtypes = {t.dtype for t in ts}
    if len(dtypes) > 1:
        raise RuntimeError(f"einsum: operands must have one dtype, got {sorted(map(str, dtypes))}")
    try:
        return _apply(T.Einsum, tuple(ts), ((tuple(fixed), out),))
    except ShapeError as e:
        raise ShapeError(f"einsum: {equation!r}: {e}") from None


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids of 1-d tensors: output k varies along dimension k ("ij") or, with
    "xy", the first two swap (as numpy's and PyTorch's)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [as_tensor(t) for t in tensors]
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0-d or 1-d tensors, got shape {t.shape}")
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    order = list(range(len(ts)))
    if swap:
        order[0], order[1] = 1, 0
    shape = tuple(ts[i].shape[0] for i in order)
    out = []
    for k, t in enumerate(ts):
        pos = order.index(k)
        view = [1] * len(ts)
        view[pos] = t.shape[0]
        out.append(t.reshape(*view).expand(*shape))
    return tuple(out)
