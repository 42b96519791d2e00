"""Pictures and tables of backpropagation: Graphviz diagrams of a graph (`draw_graph`), a
diagram per backward step and a page to step through them (`write_steps`), and the
chain rule as a table (`chain_rule_table`). The numbers come from the engine's
reference loop (`autograd.engine.backprop_steps`)."""
from .drawing import (
    INSTALL_HINT,
    GraphvizNotFound,
    draw_graph,
    module_clusters,
    render_svg,
    repr_svg,
    save,
)
from .numbers import fixed, format_number
from .steps import NodeStep, Product, backward_steps, frame_graphs, steps_html, write_steps
from .walkthrough import (
    ChainRuleRow,
    ChainRuleTerm,
    chain_rule_table,
    format_chain_rule_table,
    sigmoid_circuit,
)

__all__ = ["draw_graph", "save", "render_svg", "repr_svg", "module_clusters", "GraphvizNotFound",
           "INSTALL_HINT", "format_number", "fixed", "backward_steps", "frame_graphs",
           "write_steps", "steps_html", "NodeStep", "Product", "chain_rule_table",
           "format_chain_rule_table", "ChainRuleRow", "ChainRuleTerm", "sigmoid_circuit"]
