"""``creatordeck``: operator commands, run with the stage's environment (see docs/deploy.md).

    creatordeck workspace create --name "Studio North" --admin-email ana@example.com

prints the one-time invitation link of the workspace's first admin. Locally,
``python -m devstack cli ...`` runs the same command against the running local stack.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chalicelib.domain.errors import DomainError
from chalicelib.settings import SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="creatordeck", description="CreatorDeck operator commands.")
    commands = parser.add_subparsers(dest="group", required=True)
    workspace = commands.add_parser("workspace", help="workspaces").add_subparsers(
        dest="command", required=True
    )
    create = workspace.add_parser("create", help="create a workspace and invite its first admin")
    create.add_argument("--name", required=True, help="the workspace's name, e.g. the team or creator")
    create.add_argument("--admin-email", required=True, help="who becomes its first admin")
    arguments = parser.parse_args(argv)

    try:
        from chalicelib.bootstrap import services

        if arguments.group == "workspace" and arguments.command == "create":
            name = arguments.name.strip()
            if not name or "@" not in arguments.admin_email:
                parser.error("give a non-empty --name and a valid --admin-email")
            created, issued = services().workspaces.create_workspace(name, arguments.admin_email)
            print(f"Workspace {created.name!r} created (id {created.id}).")
            until = f"{issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC"
            print(f"Invitation for {issued.invitation.email} (admin), valid once until {until}:")
            print(f"  {issued.link.reveal()}")
            return 0
    except SettingsError as exc:
        print(f"creatordeck: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"creatordeck: {exc.message}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
