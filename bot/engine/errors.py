"""The one exception the engine raises inside itself."""


class ContentError(Exception):
    """Flow content that cannot run (caught inside the engine, never raised out of it).

    It lives apart from the runner so the modules the runner uses (such as
    `bot.engine.choices`) can raise it without importing the runner.
    """
