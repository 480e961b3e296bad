"""The README's runnable commands: the ```sh blocks right after a ``<!-- runs-as-pasted -->`` comment.

Such a block is run as a person pastes it into a terminal beside ``make run``: every command in order, in one
shell, from the repository's root. The test substitutes nothing but the stack's ports (it runs the stack on
free ones). A command is one line, or several joined by a trailing backslash or a here-document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = "<!-- runs-as-pasted"
_FENCE = re.compile(r"^```sh\s*$")
_HEREDOC = re.compile(r"<<-?\s*'?\"?(\w+)'?\"?")
_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_]\w*)=")
_END = re.compile(r"^@@@ end (\d+) (\d+) (\S*)$", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    number: int
    text: str

    @property
    def variable(self) -> str | None:
        """The variable a pure assignment (``export TOKEN=...``) sets; such a command prints nothing."""
        match = _ASSIGNMENT.match(self.text)
        return match.group(1) if match else None

    def showed_something(self, output: str) -> bool:
        if self.variable:
            return output.strip() == f"{self.variable} is set"
        squeezed = re.sub(r"\s+", "", output)
        failed = '{"error"' in squeezed or "Traceback" in output or '"items":[]' in squeezed
        return bool(squeezed) and not failed

    @staticmethod
    def results(commands: list[Command], stdout: str) -> list[tuple[int, str]]:
        """(exit status, what it printed) of each command that ran, from the script's marked output."""
        found = []
        for command in commands:
            begin = stdout.find(f"@@@ begin {command.number}\n")
            end = _END.search(stdout, begin if begin >= 0 else len(stdout))
            if begin < 0 or end is None or int(end.group(1)) != command.number:
                break
            output = stdout[begin + len(f"@@@ begin {command.number}\n") : end.start()]
            if command.variable:
                output = f"{command.variable} is set" if end.group(3) == "set" else ""
            found.append((int(end.group(2)), output))
        return found


def runnable_commands(markdown: str, ports: dict[str, int]) -> list[Command]:
    """The marked blocks' commands, in order, with the default ports replaced by ``ports`` (default -> actual)."""
    commands: list[Command] = []
    lines = markdown.splitlines()
    for n, line in enumerate(lines):
        if not (line.strip().startswith(MARKER) and n + 1 < len(lines) and _FENCE.match(lines[n + 1])):
            continue
        block = []
        for body in lines[n + 2 :]:
            if body.startswith("```"):
                break
            block.append(body)
        for text in _split(block):
            for default, actual in ports.items():
                text = re.sub(rf"\b{default}\b", str(actual), text)
            commands.append(Command(len(commands), text))
    return commands


def _split(block: list[str]) -> list[str]:
    """Commands of a block: blank and comment lines dropped, continuations and here-documents kept whole."""
    commands: list[str] = []
    current: list[str] = []
    heredoc_end: str | None = None
    for line in block:
        if heredoc_end is None and not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current.append(line)
        if heredoc_end is not None:
            heredoc_end = None if line.strip() == heredoc_end else heredoc_end
        elif match := _HEREDOC.search(line):
            heredoc_end = match.group(1)
        if heredoc_end is None and not line.endswith("\\"):
            commands.append("\n".join(current))
            current = []
    assert not current, f"an unfinished command in a runnable block: {current}"
    return commands


def script(commands: list[Command]) -> str:
    """One bash script running every command in order; each one's output and exit status between markers."""
    parts = []
    for command in commands:
        check = f'"${{{command.variable}:+set}}"' if command.variable else "-"
        parts.append(
            f"printf '@@@ begin {command.number}\\n'\n{{\n{command.text}\n}} 2>&1\n"
            f"printf '\\n@@@ end {command.number} %s %s\\n' \"$?\" {check}"
        )
    return "\n".join(parts) + "\n"
