"""Plugs the exercise screens into the main window: the banner under the mode banner, the watermark on
the map, the exercise-records setting in the status bar, the controller page beside the mode pages, and
the map's cell choice into the ad-hoc inject form."""

from __future__ import annotations

from console.exercises.banner import ExerciseBanner
from console.exercises.controller import ControllerPage
from console.exercises.records import ExerciseRecordsBox
from console.exercises.tools import ExerciseTools, watermark_lines


def install_exercises(window, *, drive: bool = True) -> ExerciseTools:
    tools = ExerciseTools(window, drive=drive)
    window.exercise_banner = ExerciseBanner(tools)
    window.central.layout().insertWidget(1, window.exercise_banner)  # right under the mode banner
    window.exercise_records = ExerciseRecordsBox(window.services)
    window.statusBar().addPermanentWidget(window.exercise_records)
    window.controller_page = ControllerPage(tools)
    window.pages.add_scrolling(window.controller_page)  # scrolls on a short screen
    tools.state_changed.connect(lambda state: window.map.set_exercise_watermark(*watermark_lines(state)))
    window.pages.currentChanged.connect(lambda _index: tools.refresh())  # a page opens: read afresh

    def on_details(kind: str, key: str) -> None:
        if kind == "cell":
            window.controller_page.set_cell(key)

    window.details_shown.connect(on_details)
    return tools
