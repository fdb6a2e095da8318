"""The trainee's camera self-view: live video when there is a camera, a clear message when there is not.

Frames arrive through a QVideoSink (a QCamera feeds it through a QMediaCaptureSession; tests push frames into it) and
are painted mirrored, as people expect to see themselves. The camera is only opened while the view is on.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath
from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from desktop.ui.widgets import theme
from desktop.ui.widgets.icons import icon_pixmap
from desktop.ui.widgets.whole_lines import WholeLinesLabel

log = logging.getLogger(__name__)

NO_CAMERA = "no_camera"
OFF = "off"
STARTING = "starting"
LIVE = "live"
FAILED = "failed"

MESSAGES = {
    NO_CAMERA: ("No camera found", "Plug one in to watch your own delivery. The call works fine without one."),
    OFF: ("Your camera is off", "Turn it on with the camera button to watch your own delivery."),
    STARTING: ("Starting your camera...", "This takes a moment."),
    FAILED: ("The camera could not start", "Close other apps that use it, or pick another camera below."),
}


class VideoSurface(QWidget):
    """Paints the newest frame of its sink, mirrored and cropped to fill, with rounded corners."""

    frame_shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sink = QVideoSink(self)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._image = QImage()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def videoSink(self) -> QVideoSink:  # noqa: N802 - the same name QVideoWidget uses
        return self._sink

    @property
    def has_frame(self) -> bool:
        return not self._image.isNull()

    def clear(self) -> None:
        self._image = QImage()
        self.update()

    @Slot(QVideoFrame)
    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._image = image.flipped(Qt.Orientation.Horizontal)
        self.update()
        self.frame_shown.emit()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        clip = QPainterPath()
        clip.addRoundedRect(rect, 10, 10)
        painter.setClipPath(clip)
        painter.fillRect(rect, QColor("#0f172a"))
        if not self._image.isNull():
            image = self._image
            scale = max(rect.width() / image.width(), rect.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF(rect.center().x() - w / 2, rect.center().y() - h / 2, w, h)
            painter.drawImage(target, image)
        painter.end()


class SelfView(QFrame):
    """`set_camera_on(bool)` from the control bar; `state` says what is shown."""

    state_changed = Signal(str)
    camera_chosen = Signal(str)  # the camera's description, to remember in settings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="callPanel")
        self._on = False  # the camera opens when a call starts (set_camera_on), never just because the view exists
        self._failed = False
        self._state = ""
        self._preferred = ""
        self._camera: QCamera | None = None
        self._session = QMediaCaptureSession(self)
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self._refresh_cameras)

        layout = QVBoxLayout(self)
        title = QLabel("You", objectName="panelTitle")
        layout.addWidget(title)
        self.surface = VideoSurface()
        self.surface.frame_shown.connect(self._refresh_state)
        self._session.setVideoSink(self.surface.videoSink())
        self._placeholder = QWidget()
        inner = QVBoxLayout(self._placeholder)
        inner.addStretch(1)
        self._icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._headline = QLabel(objectName="panelHeadline", alignment=Qt.AlignmentFlag.AlignCenter)
        self._detail = WholeLinesLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        for widget in (self._icon, self._headline, self._detail):
            inner.addWidget(widget)
        inner.addStretch(1)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self.surface)
        layout.addWidget(self._stack, 1)
        self.camera_box = QComboBox(toolTip="Which camera shows you")
        self.camera_box.activated.connect(self._on_camera_picked)
        layout.addWidget(self.camera_box)
        self._refresh_cameras()

    # --- public ------------------------------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    @property
    def camera_on(self) -> bool:
        return self._on

    @property
    def has_camera(self) -> bool:
        return bool(QMediaDevices.videoInputs())

    def set_preferred_camera(self, description: str) -> None:
        self._preferred = description
        self._refresh_cameras()

    def set_camera_on(self, on: bool) -> None:
        self._on = bool(on)
        if self._on:
            self._start_camera()
        else:
            self._stop_camera()
            self.surface.clear()
        self._refresh_state()

    def stop(self) -> None:
        """At the end of the call: the camera light goes off."""
        self._stop_camera()
        self.surface.clear()
        self._refresh_state()

    # --- cameras -----------------------------------------------------------------------------------------------------

    def _chosen_device(self) -> QCameraDevice | None:
        devices = QMediaDevices.videoInputs()
        if not devices:
            return None
        wanted = self.camera_box.currentData() or self._preferred
        return next((d for d in devices if d.description() == wanted), QMediaDevices.defaultVideoInput())

    @Slot()
    def _refresh_cameras(self) -> None:
        devices = QMediaDevices.videoInputs()
        self.camera_box.clear()
        if not devices:
            self.camera_box.addItem("No camera found", "")
            self.camera_box.setEnabled(False)
            self.camera_box.hide()  # the placeholder says it already
        else:
            for device in devices:
                self.camera_box.addItem(device.description(), device.description())
            preferred = self.camera_box.findData(self._preferred) if self._preferred else -1
            self.camera_box.setCurrentIndex(max(0, preferred))
            self.camera_box.setEnabled(len(devices) > 1)
            self.camera_box.setVisible(len(devices) > 1)  # one camera: nothing to choose
        if self._on and self._camera is None:
            self._start_camera()
        self._refresh_state()

    @Slot(int)
    def _on_camera_picked(self, index: int) -> None:
        description = self.camera_box.itemData(index) or ""
        if description:
            self.camera_chosen.emit(description)
            if self._on:
                self._stop_camera()
                self._start_camera()

    def _start_camera(self) -> None:
        device = self._chosen_device()
        if device is None or self._camera is not None:
            return
        self._failed = False
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(self._on_camera_error)
        self._session.setCamera(self._camera)
        self._camera.start()  # asynchronous in Qt: the first frame arrives through the sink

    def _stop_camera(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop()
            self._session.setCamera(None)
            camera.deleteLater()

    @Slot(QCamera.Error, str)
    def _on_camera_error(self, error: QCamera.Error, text: str) -> None:
        log.warning("camera error %s: %s", error, text)
        self._failed = True
        self._refresh_state()

    # --- what is shown ---------------------------------------------------------------------------------------------

    @Slot()
    def _refresh_state(self) -> None:
        if not self._on:
            state = OFF
        elif self.surface.has_frame:
            state = LIVE
        elif self._failed:
            state = FAILED
        elif not self.has_camera:
            state = NO_CAMERA
        else:
            state = STARTING
        if state == self._state:
            return
        self._state = state
        if state == LIVE:
            self._stack.setCurrentWidget(self.surface)
        else:
            headline, detail = MESSAGES[state]
            self._headline.setText(headline)
            self._detail.setText(detail)
            side = self.fontMetrics().height() * 3
            self._icon.setPixmap(icon_pixmap("camera_off", theme.MUTED, side))
            self._stack.setCurrentWidget(self._placeholder)
        self.state_changed.emit(state)
