"""Running flows: a session plus an input gives a sprint of events and a new session.

Pure and synchronous: the clock comes in as `now`, nothing is awaited, nothing is sent.
Content problems met at run time (a missing step, an unset variable) become a `Failed`
event, an apology and the home flow; they never raise out of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.engine import texts
from bot.engine.answers import (
    BACK,
    EMERGENCY,
    EXIT,
    Accepted,
    Collecting,
    Rejected,
    read_answer,
    typed_choices,
)
from bot.engine.choices import resolved
from bot.engine.errors import ContentError
from bot.engine.events import (
    ActionRequested,
    Button,
    Event,
    Failed,
    FlowEnded,
    Label,
    MessageCreated,
    SessionExpired,
    WaitStarted,
)
from bot.engine.inputs import ActionResult, Input
from bot.engine.model import Action, Ask, Call, Check, End, Flows, Goto, Say
from bot.engine.questions import buttons_for
from bot.engine.session import Frame, Session, Value
from bot.engine.texts import placeholders
from bot.engine.triggers import TriggerMatch, command_of, match_trigger

# Standby serves the UK: "today" is the day in London, not in UTC.
LOCAL_TIME = ZoneInfo("Europe/London")


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME).date()


# Above any chain the checker allows (a flow has at most 2,000 steps and loops without a
# question are refused); only stops a loop the checker somehow missed.
MAX_STEPS_PER_SPRINT = 10_000
# How many questions Back can step through; older ones are not kept.
MAX_HISTORY = 20

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sprint:
    """The outcome of one call to `start` or `resume`."""

    session: Session
    events: tuple[Event, ...]

    @property
    def action(self) -> ActionRequested | None:
        """The action the session now waits on, if any (always the last event)."""
        last = self.events[-1] if self.events else None
        waiting = self.session.waiting == "action"
        return last if waiting and isinstance(last, ActionRequested) else None


def start(
    flows: Flows, session: Session | None, *, now: datetime, flow: str | None = None
) -> Sprint:
    """Begin `flow` (default: the home flow) afresh, forgetting any earlier answers."""
    run = _Run(flows, session.copy() if session else Session(), now)
    run.begin(flow or flows.home)
    return run.sprint()


def resume(flows: Flows, session: Session, given: Input | ActionResult, *, now: datetime) -> Sprint:
    """Continue `session` with what the person did, or with a service's answer."""
    run = _Run(flows, session.copy(), now)
    run.session.turn += 1
    if isinstance(given, ActionResult):
        run.guard(run.action_done, given)
    else:
        run.guard(run.user_input, given)
    return run.sprint()


class _Run:
    def __init__(self, flows: Flows, session: Session, now: datetime) -> None:
        self.flows = flows
        self.session = session
        self.now = now
        self.events: list[Event] = []
        self.failed = False

    def sprint(self) -> Sprint:
        return Sprint(self.session, tuple(self.events))

    # -- entry points ---------------------------------------------------------------

    def begin(self, flow_id: str) -> None:
        self.guard(self._begin, flow_id)

    def _begin(self, flow_id: str) -> None:
        self._forget()
        self._enter(flow_id)

    def guard(self, work: Callable[[T], None], arg: T) -> None:
        """Run `work`, turning content problems into a failure event and the home flow."""
        try:
            work(arg)
        except ContentError as problem:
            self._fail(str(problem))

    def user_input(self, given: Input) -> None:
        if given.is_press and given.value == EXIT and self.flows.quick_exit is not None:
            # From any message, even an old one or after the session went quiet: leaving
            # must never meet "that button has expired" or a question first.
            self._begin(self.flows.quick_exit)
            return
        if given.is_press and given.value == EMERGENCY and self.flows.emergency is not None:
            # Like Leave now, from any message: the numbers, then back to the question.
            self._interrupt(TriggerMatch(self.flows.emergency, returns=True))
            return
        session = self.session
        expired = session.expires_at is not None and self.now >= session.expires_at
        if session.active and expired:
            self.events.append(SessionExpired(session.flow or ""))
            self._say(texts.EXPIRED)
            self._forget()
            session = self.session
        trigger = match_trigger(self.flows, given.text)
        if trigger is not None and not self._answers_buttons(given.text or ""):
            self._interrupt(trigger)
            return
        if given.text is not None and command_of(given.text) is not None:
            # A command no flow has (a typo, an old one, or a staff command sent by someone
            # who isn't staff) is never an answer: say so, all alike so staff commands
            # can't be told apart, then go on as if nothing new had been sent.
            self._say(texts.UNKNOWN_COMMAND)
            given = Input.refresh()
        if not session.active:
            if given.is_press and not expired:
                self._say(texts.BUTTON_EXPIRED)
            quiet = session.quiet and self.flows.quiet_start is not None
            self._begin((self.flows.quiet_start if quiet else None) or self.flows.home)
            return
        if self._current() is None:
            self._restart_changed_flow()
            return
        self._answer(given)

    def _interrupt(self, trigger: TriggerMatch) -> None:
        """Run a triggered flow; one that `returns` comes back to the question in hand."""
        session = self.session
        if trigger.returns and session.active and session.waiting == "input":
            here = Frame(session.flow or "", session.step or "", True, list(session.history))
            session.stack.append(here)
            self._enter(trigger.flow)
        else:
            self._begin(trigger.flow)

    def _answers_buttons(self, text: str) -> bool:
        """Whether typed `text` is an answer to the buttons of the question in hand.

        A trigger word only counts as a whole message, and then wins over a typed answer,
        except here: when the question has buttons and the text is one of them ("Emergency
        help" as a menu's label), the person is answering, not asking for another flow.
        Commands always win (see `user_input`).
        """
        session = self.session
        if command_of(text) is not None or not session.active or session.waiting != "input":
            return False
        step = self._current()
        if not isinstance(step, Ask):
            return False
        return bool(typed_choices(resolved(step, session.vars).choices, text))

    def _restart_changed_flow(self) -> None:
        """The step the person was on is gone (the flows were updated): start that flow
        again, or the home flow if the flow itself is gone too."""
        self._say(texts.FLOW_CHANGED)
        flow_id = self._flow_id()
        if self.flows.get(flow_id) is None:
            self._begin(self.flows.home)
        else:
            self.session.picked = []
            self._enter(flow_id)

    def action_done(self, result: ActionResult) -> None:
        step = self._current()
        if not isinstance(step, Action) or self.session.waiting != "action":
            raise ContentError("an action result arrived while no action was waiting")
        if not result.ok:
            if step.on_error is None:
                raise ContentError(f"action '{step.name}' failed")
            self._run(self._flow_id(), step.on_error)
            return
        for name in step.save:
            self.session.vars[name] = result.values.get(name)
            self.session.labels.pop(name, None)
        self._run(self._flow_id(), step.next)

    # -- answering a question -------------------------------------------------------

    def _answer(self, given: Input) -> None:
        session = self.session
        step = self._current()
        if not isinstance(step, Ask) or session.waiting != "input":
            # Only reachable if a session was saved mid-action: carry on from that step.
            self._run(self._flow_id(), session.step)
            return
        # Buttons from a variable are resolved once here: the answer is read against, and
        # any question shown again uses, the very same list.
        step = resolved(step, session.vars)
        if given.is_refresh:
            self._ask(step, keep_picks=True)
            return
        if given.is_press and (given.step != step.id or given.flow not in (None, session.flow)):
            self._say(texts.BUTTON_EXPIRED)
            self._ask(step)
            return
        if given.value == BACK:
            self._go_back(step)
            return
        answer = read_answer(step, given, session.picked, local_date(self.now))
        if isinstance(answer, Rejected):
            self._say(answer.text, dict(answer.vars))
            self._ask(step, keep_picks=True)  # a typo doesn't undo the picks made so far
        elif isinstance(answer, Collecting):
            session.picked = answer.picked
            if answer.note:
                self._say(answer.note)
                self._ask(step, keep_picks=True)
            else:
                self._ask(step, keep_picks=True, redraw=True)
        else:
            self._accept(step, answer)

    def _accept(self, step: Ask, answer: Accepted) -> None:
        session = self.session
        if step.save:
            session.vars[step.save] = answer.value
            if answer.labels:
                session.labels[step.save] = list(answer.labels)
            else:
                session.labels.pop(step.save, None)
        session.history = [*session.history[-(MAX_HISTORY - 1) :], step.id]
        session.picked = []
        self._run(self._flow_id(), self._after_answer(step, answer))

    def _after_answer(self, step: Ask, answer: Accepted) -> str | None:
        """Where an accepted answer leads: a chosen button's `next`, the start of a part to
        ask again (`revisit`), back from a revisited question, or the step's `next`."""
        session, flow = self.session, self._flow_id()
        revisit = session.revisit
        if (
            revisit is not None
            and revisit["flow"] == flow
            and revisit["until"] is None
            and revisit["start"] == step.id
        ):
            session.revisit = None
            return revisit["then"]
        chosen = next((c for c in step.choices if c.value == answer.value), None)
        if chosen is not None and chosen.revisit is not None and step.return_to is not None:
            session.revisit = {
                "flow": flow,
                "start": chosen.revisit,
                "until": chosen.until,
                "then": step.return_to,
            }
            return chosen.revisit
        return answer.next if answer.chosen_next else step.next

    def _go_back(self, step: Ask) -> None:
        history = self.session.history
        self.session.picked = []
        if not history:
            self._ask(step)
            return
        self._run(self._flow_id(), history.pop())

    # -- walking steps --------------------------------------------------------------

    def _enter(self, flow_id: str) -> None:
        flow = self.flows.get(flow_id)
        if flow is None:
            raise ContentError(f"flow '{flow_id}' does not exist")
        self.session.history = []
        self._run(flow.id, flow.start)

    def _run(self, flow_id: str, step_id: str | None) -> None:
        session = self.session
        for _ in range(MAX_STEPS_PER_SPRINT):
            if step_id is None:
                resumed = self._finish_flow(flow_id)
                if resumed is None:
                    return
                flow_id, step_id = resumed
                continue
            step_id = self._revisited(flow_id, step_id)
            step = self.flows.step(flow_id, step_id)
            if step is None:
                raise ContentError(f"step '{step_id}' does not exist in flow '{flow_id}'")
            session.flow, session.step = flow_id, step_id
            match step:
                case Say():
                    self._say(step.text)
                    step_id = step.next
                case Ask():
                    self._ask(step)
                    return
                case Action():
                    self._request(step)
                    return
                case Check():
                    step_id = self._branch(step)
                case Call():
                    session.stack.append(Frame(flow_id, step.id))
                    flow_id, step_id = self._flow_start(step.flow)
                case Goto():
                    self._unwind_for(step.flow)
                    flow_id, step_id = self._flow_start(step.flow)
                case End():
                    if step.text:
                        self._say(step.text)
                    step_id = None
        raise ContentError("the flow went round in circles without waiting for an answer")

    def _revisited(self, flow_id: str, step_id: str) -> str:
        """`step_id`, or where a revisit ends when the flow reaches its `until` step."""
        revisit = self.session.revisit
        if revisit is None or revisit["flow"] != flow_id:
            return step_id
        if step_id == revisit["until"]:
            self.session.revisit = None
            return revisit["then"] or step_id
        if step_id == revisit["then"]:
            self.session.revisit = None  # got there on its own way
        return step_id

    def _unwind_for(self, flow_id: str) -> None:
        """A goto leaves the flows in between for good. To a flow people reach on its own
        (home, or by a command that doesn't return) it is a fresh start, as the command
        would be: nothing is waiting to be returned to, so ending it ends the conversation
        (a quick exit must not come back to a question). To a flow already on the stack,
        the frames above it are dropped, so going "back to the menu" never piles up."""
        stack = self.session.stack
        target = self.flows.get(flow_id)
        standalone = target is not None and (
            target.home or (target.trigger is not None and not target.trigger.returns)
        )
        if standalone:
            stack.clear()
            return
        for index, frame in enumerate(stack):
            if frame.flow == flow_id:
                del stack[index:]
                return

    def _flow_start(self, flow_id: str) -> tuple[str, str]:
        flow = self.flows.get(flow_id)
        if flow is None:
            raise ContentError(f"flow '{flow_id}' does not exist")
        self.session.history = []
        return flow.id, flow.start

    def _finish_flow(self, flow_id: str) -> tuple[str, str | None] | None:
        """Emit the end of `flow_id`; return where to carry on, or None when all is done."""
        self.events.append(FlowEnded(flow_id))
        session = self.session
        if not session.stack:
            self._forget()
            # After a quick exit, the next conversation starts quietly (`Flows.quiet_start`).
            self.session.quiet = flow_id == self.flows.quick_exit
            return None
        frame = session.stack.pop()
        session.history = []
        if frame.again:
            session.history = list(frame.history)
            return frame.flow, frame.step
        caller = self.flows.step(frame.flow, frame.step)
        if not isinstance(caller, Call):
            raise ContentError(f"cannot return to step '{frame.step}' in flow '{frame.flow}'")
        return frame.flow, caller.next

    def _branch(self, step: Check) -> str | None:
        if step.var not in self.session.vars:
            raise ContentError(f"variable '{step.var}' is not set at step '{step.id}'")
        value = self.session.vars[step.var]
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for case, target in step.cases:
            if case in values:
                return target
        return step.otherwise

    # -- producing events -----------------------------------------------------------

    def _say(self, text: str, extra: dict[str, Value] | None = None) -> None:
        self.events.append(MessageCreated(text, extra or self._vars_for(text)))

    def _ask(self, step: Ask, *, keep_picks: bool = False, redraw: bool = False) -> None:
        session = self.session
        step = resolved(step, session.vars)  # a no-op when `_answer` resolved it already
        if not keep_picks:
            session.picked = []
        if step.id in session.history:
            # Asked again (a menu the flow loops back to): Back goes to what came before it.
            session.history = session.history[: session.history.index(step.id)]
        message = MessageCreated(
            step.text, self._vars_for(step.text), self._buttons(step), step.id, redraw
        )
        session.waiting = "input"
        expires_at = self.now + self._expiry()
        session.expires_at = expires_at
        self.events += [message, WaitStarted(self._flow_id(), step.id, step.kind, expires_at)]

    def _request(self, step: Action) -> None:
        params = {name: self._fill(template) for name, template in step.params.items()}
        key = f"{self.session.turn}:{self._flow_id()}:{step.id}"
        self.session.waiting = "action"
        self.session.expires_at = self.now + self._expiry()
        self.events.append(ActionRequested(step.name, params, self._flow_id(), step.id, key))

    def _buttons(self, step: Ask) -> tuple[Button, ...]:
        session, flow = self.session, self._flow_id()
        can_exit = self.flows.quick_exit is not None
        can_call = self.flows.emergency not in (None, flow)
        history = bool(session.history)
        return buttons_for(step, flow, session.picked, history, can_exit, can_call)

    def _vars_for(self, text: str) -> dict[str, Value | Label]:
        found: dict[str, Value | Label] = {}
        for name in placeholders(text):
            labels = self.session.labels.get(name)
            found[name] = Label(tuple(labels)) if labels else self._value(name)
        return found

    def _value(self, name: str) -> Value:
        session = self.session
        if name not in session.vars:
            raise ContentError(f"variable '{name}' is used before it is set")
        return session.vars[name]

    def _fill(self, template: str) -> Value:
        names = placeholders(template)
        if len(names) == 1 and template == "{" + names[0] + "}":
            return self._value(names[0])  # keep lists and numbers as they are
        values = {name: self._value(name) for name in names}
        return template.format_map(values)

    def _expiry(self) -> timedelta:
        flow = self.flows.get(self._flow_id())
        if flow is None:
            raise ContentError(f"flow '{self._flow_id()}' does not exist")
        return flow.expires_after

    # -- state helpers ----------------------------------------------------------------

    def _current(self) -> object:
        return self.flows.step(self._flow_id(), self.session.step or "")

    def _flow_id(self) -> str:
        return self.session.flow or ""

    def _forget(self) -> None:
        """End the conversation and keep nothing of it: answers are not needed any more."""
        turn = self.session.turn
        self.session = Session(turn=turn)

    def _fail(self, reason: str) -> None:
        session = self.session
        self.events.append(Failed(reason, session.flow, session.step))
        already_failed, self.failed = self.failed, True
        self._forget()
        if already_failed:
            return  # the home flow itself is broken: stop rather than loop
        self._say(texts.FAILED)
        self.guard(self._enter, self.flows.home)
