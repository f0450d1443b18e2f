"""A person talking to the bot, so end-to-end tests read like a conversation."""

from __future__ import annotations

from collections.abc import Callable

from bot.testing import conversation
from bot.testing.accounts import EmulatedBot
from bot.testing.errors import BLOCKED, DEACTIVATED
from bot.testing.models import CallbackQuery, Chat, ChatMessage, Person
from bot.testing.updates import Update
from bot.testing.world import World

DEFAULT_TIMEOUT = 5.0


class DriverError(AssertionError):
    """A conversation step that could not happen; an AssertionError so pytest shows it plainly."""


class User:
    """One person in a private chat with one bot.

    Sending or clicking counts everything already in the chat as read, so
    `wait_for_reply()` returns what the bot sends in answer, one message per call.
    """

    def __init__(self, world: World, bot: EmulatedBot, person: Person) -> None:
        self._world = world
        self.bot = bot
        self.person = person
        self.chat: Chat = bot.private_chat(person)
        self._seen = self.chat.last_message_id
        self._versions: dict[int, int] = {}
        self._last_update: Update | None = None

    @property
    def id(self) -> int:
        """The person's user id, which is also the private chat's id."""
        return self.person.id

    @property
    def messages(self) -> list[ChatMessage]:
        """The chat as the person sees it: every message not deleted, oldest first."""
        return self.chat.visible

    @property
    def history(self) -> list[ChatMessage]:
        """Every message ever in the chat, deleted ones included."""
        return list(self.chat.messages)

    @property
    def bot_messages(self) -> list[ChatMessage]:
        """The bot's messages the person can still see."""
        return [message for message in self.chat.visible if message.from_bot]

    @property
    def last_bot_message(self) -> ChatMessage | None:
        """The newest visible message from the bot."""
        messages = self.bot_messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[str] | None:
        """Labels of the custom keyboard open below the input field, if any."""
        markup = self.chat.reply_keyboard
        if markup is None:
            return None
        rows = markup.get("keyboard", [])
        return [b if isinstance(b, str) else str(b.get("text")) for row in rows for b in row]

    async def send(self, text: str) -> ChatMessage:
        """Write a message (commands like "/start" get bot_command entities)."""
        self._acted()
        message = conversation.send_text(self._world, self.bot, self.person, text)
        self._remember_update()
        return message

    async def send_photo(self, data: bytes, caption: str | None = None) -> ChatMessage:
        """Send a photo with these bytes; the bot can getFile and download them."""
        self._acted()
        stored = self.bot.files.add("photo", data, None, "image/jpeg")
        message = conversation.send_file(
            self._world, self.bot, self.person, "photo", stored, caption
        )
        self._remember_update()
        return message

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> ChatMessage:
        """Send a document with these bytes and this file name."""
        self._acted()
        stored = self.bot.files.add("document", data, file_name, mime_type)
        message = conversation.send_file(
            self._world, self.bot, self.person, "document", stored, caption
        )
        self._remember_update()
        return message

    async def click(self, label: str, message: ChatMessage | None = None) -> CallbackQuery:
        """Press the inline button labelled `label` on `message` (default: the latest keyboard)."""
        target = message or self._latest_keyboard()
        if target.deleted:
            raise DriverError(f"message {target.message_id} was deleted; its buttons are gone")
        for button in target.buttons:
            if button.get("text") == label:
                if "callback_data" not in button:
                    raise DriverError(
                        f"button {label!r} opens {button.get('url')!r}, it sends no callback"
                    )
                return await self.click_data(str(button["callback_data"]), target)
        raise DriverError(
            f"no button {label!r} under message {target.message_id} ({target.content[:60]!r}); "
            f"its buttons are {target.button_labels}"
        )

    async def click_data(self, data: str, message: ChatMessage | None = None) -> CallbackQuery:
        """Press a button with arbitrary `data`: a forged or stale button, for robustness tests."""
        target = message or self._find_keyboard() or self.last_bot_message
        if target is None:
            raise DriverError(f"{self._name()} has no bot message to press a button on")
        self._acted()
        query = conversation.click(self._world, self.bot, self.person, target, data)
        self._remember_update()
        return query

    async def repeat_last_update(self) -> Update:
        """Deliver the last update again with the same update_id, as a webhook retry does."""
        if self._last_update is None:
            raise DriverError(f"{self._name()} has not sent anything yet")
        self.bot.updates.repeat(self._last_update)
        return self._last_update

    async def wait_for_reply(self, within: float = DEFAULT_TIMEOUT) -> ChatMessage:
        """The next message from the bot that this driver has not returned yet."""

        def unseen() -> list[ChatMessage]:
            return [m for m in self.chat.messages if m.from_bot and m.message_id > self._seen]

        if not await self._world.changed.wait_for(lambda: bool(unseen()), within):
            raise DriverError(self._silence(f"no reply within {within}s"))
        reply = unseen()[0]
        self._seen = reply.message_id
        return reply

    async def wait_for_replies(
        self, count: int, within: float = DEFAULT_TIMEOUT
    ) -> list[ChatMessage]:
        """The next `count` new messages from the bot."""
        return [await self.wait_for_reply(within) for _ in range(count)]

    async def wait_for_edit(
        self, message: ChatMessage, within: float = DEFAULT_TIMEOUT
    ) -> ChatMessage:
        """Wait until `message` changes (edit or deletion) after the person's last action."""
        before = self._versions.get(message.message_id, 0)
        await self.wait_until(lambda: message.version > before, within, "the message to change")
        return message

    async def wait_for_answer(
        self, query: CallbackQuery, within: float = DEFAULT_TIMEOUT
    ) -> CallbackQuery:
        """Wait until the bot answers the button press (answerCallbackQuery)."""
        await self.wait_until(lambda: query.answered, within, "an answer to the button press")
        return query

    async def wait_until(
        self,
        condition: Callable[[], bool],
        within: float = DEFAULT_TIMEOUT,
        what: str = "the condition",
    ) -> None:
        """Wait until `condition()` holds, failing with a description of the chat if not."""
        if not await self._world.changed.wait_for(condition, within):
            raise DriverError(self._silence(f"waited {within}s for {what}"))

    def block_bot(self) -> None:
        """Block the bot: sends now fail with 403 and the bot gets my_chat_member."""
        conversation.set_blocked(self._world, self.bot, self.person, BLOCKED)

    def unblock_bot(self) -> None:
        """Unblock the bot."""
        conversation.set_blocked(self._world, self.bot, self.person, None)

    def deactivate(self) -> None:
        """Delete the account: sends now fail with 403 "user is deactivated"."""
        conversation.set_blocked(self._world, self.bot, self.person, DEACTIVATED)

    def _acted(self) -> None:
        self._seen = self.chat.last_message_id
        self._versions = {m.message_id: m.version for m in self.chat.messages}

    def _remember_update(self) -> None:
        self._last_update = self.bot.updates.last_pushed

    def _latest_keyboard(self) -> ChatMessage:
        message = self._find_keyboard()
        if message is None:
            raise DriverError(self._silence("no bot message has inline buttons"))
        return message

    def _find_keyboard(self) -> ChatMessage | None:
        for message in reversed(self.bot_messages):
            if message.buttons:
                return message
        return None

    def _name(self) -> str:
        return f"{self.person.first_name} ({self.person.id})"

    def _silence(self, problem: str) -> str:
        recent = [
            f"  {'bot' if m.from_bot else 'user'} #{m.message_id}: {m.content[:80]!r}"
            + (f" buttons={m.button_labels}" if m.buttons else "")
            + (" [deleted]" if m.deleted else "")
            for m in self.chat.messages[-6:]
        ]
        calls = [f"{c.method}->{c.status}" for c in self.bot.calls[-6:]]
        return (
            f"{self._name()} chatting with @{self.bot.username}: {problem}.\n"
            f"Last messages:\n" + ("\n".join(recent) or "  (none)") + f"\nLast bot calls: {calls}"
        )
