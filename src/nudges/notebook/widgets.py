"""Interactive notebook widgets (anywidget): draw a digit, see the nudges, watch it learn.

    from nudges.notebook.widgets import Draw, Nudges, Learn
    Draw(net)                          # draw a digit, see every layer light up
    Nudges(net, x, label)              # pick the wished digit: wishes, nudges, one step
    Learn(net, data, epochs=3)         # train with live curves: start, pause, step, stop

The kernel computes everything through the library (the same views the web page gets from
nudges.web.views); the browser draws with the page's own ES modules (nudges.web.bundle), so
no server runs. State lives in traitlets: set them from Python, or read what the reader did.
Needs the `notebook` extra: pip install 'nudges[notebook]'.
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets

from ..core.checks import as_batch
from ..core.errors import InvalidInput, NudgesError
from ..core.network import Network
from ..data.images import to_mnist
from ..data.mnist import Dataset, load_sample
from ..explain.wishes import step_effect, wishes
from ..training.settings import Settings
from ..web import views
from ..web.bundle import bundle, static_text
from ..web.runs import Run

__all__ = ["Draw", "Learn", "Nudges"]
MAX_SIDE = 1024     # the largest picture a pad may send, in pixels a side


class Widget(anywidget.AnyWidget):
    """What the three widgets share: the page's modules, the network drawn, the latest result
    (a forward pass, with the wishes for Nudges) and the last error, as one line."""

    _esm = bundle("widget.js")
    _css = static_text("widget.css")
    kind = traitlets.Unicode("").tag(sync=True)
    network = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, net: Network, **traits: Any) -> None:
        if not isinstance(net, Network):
            raise InvalidInput(f"expected a nudges.Network, got {type(net).__name__}")
        super().__init__(**traits)
        self.net = net
        self.network = views.model_view(net, 0)
        self.on_msg(self.handle)

    def handle(self, widget: Any, content: dict[str, Any], buffers: list[bytes]) -> None:
        """A button pressed in the browser: {"action": name}; errors show in the widget."""
        try:
            self.act(str(content.get("action", "")))
            self.error = ""
        except NudgesError as e:
            self.error = str(e)

    def act(self, action: str) -> None:
        """Do what a button asks; InvalidInput for an action this widget does not have."""
        raise InvalidInput(f"this widget has no action {action!r}")


def picture(image: dict[str, Any]) -> np.ndarray:
    """A pad's drawing {width, height, pixels in [0, 1]} as the network's input (784,),
    centred the MNIST way; InvalidInput if it is not one."""
    try:
        width, height = int(image["width"]), int(image["height"])
        pixels = np.asarray(image["pixels"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("a drawing must be {width, height, pixels}, got "
                           f"{sorted(image)}") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or pixels.size != width * height:
        raise InvalidInput(f"a drawing of {width}x{height} needs {width * height} pixels, "
                           f"got {pixels.size}")
    return to_mnist(pixels.reshape(height, width))


class Draw(Widget):
    """Draw a digit and see every layer light up (the page's "See every layer").

    `image`: the pad's drawing, as the browser sends it (or {} when cleared); `result`: the
    forward pass the diagram draws. show(x) puts one input (784,) through instead.
    """

    image = traitlets.Dict().tag(sync=True)

    def __init__(self, net: Network, x: np.ndarray | None = None) -> None:
        super().__init__(net, kind="draw")
        if x is not None:
            self.show(x)

    def show(self, x: np.ndarray) -> None:
        """Every layer's activations for one input x (n_in,)."""
        row = as_batch(x, self.net.sizes[0], self.net.dtype)[0]
        self.result = views.forward_view(self.net, row)
        self.error = ""

    @traitlets.observe("image")
    def drawn(self, change: dict[str, Any]) -> None:
        """The pad changed: put the drawing through the network (or clear the result)."""
        if not change["new"]:
            self.result, self.error = {}, ""
            return
        try:
            self.show(picture(change["new"]))
        except NudgesError as e:
            self.error = str(e)


class Nudges(Widget):
    """One example's wishes and nudges (the page's "See the nudges"), and a step on it.

    `target`: the digit wished for (the label at first); `neuron`: [layer, index] of the
    neuron whose levers are shown (layer 1 = the first hidden; [] for the one with the biggest
    wish); `result`: the forward pass and the wishes; step() (the "Apply one step" button)
    puts in `step_result` what one step of gradient descent with `eta` on this example alone
    does, on a copy of the network, to it and to the `others` (x, y), by digit.
    """

    target = traitlets.Int(0).tag(sync=True)
    neuron = traitlets.List(traitlets.Int()).tag(sync=True)
    eta = traitlets.Float(3.0).tag(sync=True)
    step_result = traitlets.Dict().tag(sync=True)

    def __init__(self, net: Network, x: np.ndarray, y: int, *, eta: float = 3.0,
                 others: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.x = as_batch(x, net.sizes[0], net.dtype)
        if len(self.x) != 1:
            raise InvalidInput(f"x must be one example, got {len(self.x)} rows")
        self.others = others
        super().__init__(net, kind="nudges", target=int(y), eta=eta)
        self.refresh()

    @traitlets.observe("target", "neuron")
    def chosen(self, change: dict[str, Any]) -> None:
        """A new wished digit or neuron: the wishes again, and the last step is stale."""
        if hasattr(self, "net"):
            self.refresh()

    def refresh(self) -> None:
        """Compute `result` for the current target and neuron (error: the reason, if not)."""
        neuron = (self.neuron[0], self.neuron[1]) if len(self.neuron) == 2 else None
        try:
            if neuron is not None and not 1 <= neuron[0] < len(self.net.sizes):
                raise InvalidInput(f"neuron layer must be from 1 (the first hidden layer) to "
                                   f"{len(self.net.sizes) - 1}, got {neuron[0]}")
            wished = views.wishes_view(self.net, wishes(self.net, self.x, self.target), neuron)
            self.result = {**views.forward_view(self.net, self.x[0]), **wished}
            self.step_result, self.error = {}, ""
        except NudgesError as e:
            self.error = str(e)

    def act(self, action: str) -> None:
        if action != "step":
            super().act(action)
        self.step()

    def step(self) -> dict[str, Any]:
        """One step w ← w − η ∂C_x/∂w on this example, on a copy; also in `step_result`."""
        rows, labels = self.x, np.array([self.target])
        if self.others is not None:
            rows = np.vstack([rows, as_batch(self.others[0], self.net.sizes[0], self.net.dtype)])
            labels = np.concatenate([labels, np.asarray(self.others[1])])
        effect = step_effect(self.net, rows, labels, 0, self.eta)
        self.step_result = views.step_view(effect, effect, 1)
        return self.step_result


class Learn(Widget):
    """Train with live curves (the page's "Watch it learn"): start, pause, step, stop.

    Trains `net` in place on data.train (the embedded sample by default) with `settings` (or
    Settings(**settings)), in a background thread by nudges.web.runs.Run, whose snapshots
    arrive in `run` (state, cost and accuracy points, test accuracy per epoch) and the
    first layer's weights in `images`. start(background=False) trains in this thread.
    """

    run = traitlets.Dict().tag(sync=True)
    images = traitlets.Dict().tag(sync=True)

    def __init__(self, net: Network, data: Dataset | None = None,
                 settings: Settings | None = None, *, slow: bool = False,
                 **settings_fields: Any) -> None:
        super().__init__(net, kind="learn")
        self.data = data if data is not None else load_sample()
        self.settings = (settings or Settings(**settings_fields)).check(len(self.data.train[1]))
        self.slow = slow
        self.current: Run | None = None
        self.images = views.weight_images(net)

    def start(self, background: bool = True) -> Run:
        """Stop the run before (if any), then train net onwards with fresh optimizer state."""
        self.stop()
        run = Run(self.net, self.settings, self.data, "notebook", self.publish, slow=self.slow)
        self.current = run
        if background:
            return run.start()
        run.run_here()
        return run

    def publish(self, run: Run) -> None:
        """A new point or epoch (called from the run's thread): send it to the browser."""
        self.run = run.snapshot()
        self.images = views.weight_images(self.net)

    def act(self, action: str) -> None:
        if action == "start":
            self.start()
        elif action in ("pause", "resume", "step", "stop") and self.current is not None:
            self.current.control(action)
        elif action not in ("pause", "resume", "step", "stop"):
            super().act(action)

    def stop(self) -> None:
        """Stop the run, if one is training, and wait for its thread."""
        if self.current is not None:
            self.current.control("stop")
            self.current.join()

    def wait(self, timeout: float = 60.0) -> None:
        """Wait until the run ends (finished, stopped or failed)."""
        if self.current is not None:
            self.current.join(timeout)
