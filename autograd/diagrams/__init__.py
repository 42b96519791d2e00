"""Pictures and tables of backpropagation: Graphviz diagrams of a graph (`draw_graph`), a
diagram per backward step and a page to step through them (`write_steps`; in a notebook
`stepper(y)`), and the chain rule as a table (`chain_rule_table`; `walkthrough(y)` prints
it and shows it as HTML in a notebook). One place holds the defaults of every diagram:
`options(...)`. The numbers come from the engine's reference loop
(`autograd.engine.backprop_steps`)."""
from .drawing import (
    MAX_SEGMENTS,
    BoundedDigraph,
    describe_module,
    draw_graph,
    long_edge_segments,
    make_dot,
    module_clusters,
    render_svg,
    repr_svg,
    save,
)
from .numbers import fixed, format_number
from .options import NOTEBOOK, SLIDE, Options, options
from .render import (
    DEFAULT_TIMEOUT,
    INSTALL_HINT,
    GraphvizError,
    GraphvizNotFound,
    GraphvizTimeout,
    run_dot,
)
from .steps import (
    FRAMES_TIMEOUT,
    MAX_FRAMES,
    NodeStep,
    Product,
    Stepper,
    backward_steps,
    frame_graphs,
    render_frames,
    stepper,
    steps_html,
    write_steps,
)
from .walkthrough import (
    ChainRuleRow,
    ChainRuleTerm,
    Walkthrough,
    chain_rule_html,
    chain_rule_table,
    format_chain_rule_table,
    sigmoid_circuit,
    sigmoid_gate,
    walkthrough,
)

__all__ = ["draw_graph", "save", "render_svg", "repr_svg", "module_clusters", "GraphvizNotFound",
           "INSTALL_HINT", "format_number", "fixed", "backward_steps", "frame_graphs",
           "write_steps", "steps_html", "NodeStep", "Product", "chain_rule_table",
           "format_chain_rule_table", "ChainRuleRow", "ChainRuleTerm", "sigmoid_circuit",
           "sigmoid_gate", "options", "Options", "SLIDE", "NOTEBOOK", "stepper", "Stepper",
           "walkthrough", "Walkthrough", "chain_rule_html", "make_dot", "describe_module",
           "run_dot", "GraphvizTimeout", "GraphvizError", "DEFAULT_TIMEOUT", "render_frames",
           "MAX_FRAMES", "FRAMES_TIMEOUT", "BoundedDigraph", "long_edge_segments", "MAX_SEGMENTS"]
