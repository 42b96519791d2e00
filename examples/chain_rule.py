"""Backpropagation through the lecture's sigmoid circuit, one node at a time.

    python examples/chain_rule.py [--digits N] [--quick]

y = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))) at w0=2, x0=-1, w1=-3, x1=-2, w2=-3, built from
primitive ops (sum, x2 = -sum, x3 = exp(x2), x4 = x3 + 1, y = 1/x4) as on the slides. The
table is computed from the graph and the derivative rules; then the single sigmoid op
gives the same gradients, because sigma'(z) = sigma(z) (1 - sigma(z)).
"""
from __future__ import annotations

import argparse

from autograd import Value
from autograd.diagrams import chain_rule_table, fixed, format_chain_rule_table, sigmoid_circuit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=2, help="decimals shown (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help="accepted by every example; this one is already instant")
    args = parser.parse_args(argv)
    fmt = lambda x: fixed(x, args.digits)

    y, inputs = sigmoid_circuit()
    rows = chain_rule_table(y)
    print("The sigmoid circuit y = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))), from primitive ops.")
    print("Backward starts at dy/dy = 1; each node's gradient is the gradient of the node")
    print("that uses it (upstream) times that node's local derivative (the chain rule).\n")
    print(format_chain_rule_table(rows, args.digits))

    # The same circuit with one sigmoid op: its local derivative is sigma(z) (1 - sigma(z)).
    w = {name: Value(v.data, label=name) for name, v in inputs.items()}
    z = w["w0"] * w["x0"] + w["w1"] * w["x1"] + w["w2"]
    s = z.sigmoid()
    s.backward()
    local = s.data * (1 - s.data)
    closed = {"w0": local * w["x0"].data, "x0": local * w["w0"].data,
              "w1": local * w["x1"].data, "x1": local * w["w1"].data, "w2": local}
    by_name = {row.name: row.grad for row in rows}

    print(f"\nOne sigmoid op does the work of the last four nodes: y = sigma(z), "
          f"z = {fmt(z.data)}.")
    print(f"Its local derivative sigma'(z) = sigma(z) (1 - sigma(z)) = {fmt(s.data)} * "
          f"{fmt(1 - s.data)} = {fmt(local)}")
    print("is the gradient that reached 'sum' above, so the inputs get the same gradients")
    print("(closed form: dy/dw0 = sigma'(z) x0, dy/dx0 = sigma'(z) w0, ..., dy/dw2 = sigma'(z)).\n")
    table = [("", "primitive ops", "sigmoid op", "closed form")]
    table += [(f"dy/d{n}", fmt(by_name[n]), fmt(w[n].grad), fmt(closed[n])) for n in inputs]
    widths = [max(len(r[k]) for r in table) for k in range(4)]
    for r in table:
        cells = [c.rjust(wd) for c, wd in zip(r[1:], widths[1:], strict=True)]
        print("  ".join([r[0].ljust(widths[0]), *cells]))
    worst = max(abs(by_name[n] - w[n].grad) for n in inputs)
    print(f"\nlargest difference, primitive ops vs sigmoid op: {worst:.1e}")


if __name__ == "__main__":
    main()
