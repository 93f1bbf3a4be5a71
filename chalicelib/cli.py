"""``creatordeck``: operator commands, run with the stage's environment (see docs/deploy.md).

    creatordeck workspace create --name "Studio North" --admin-email ana@example.com

prints the one-time invitation link of the workspace's first admin.

    creatordeck tokens reencrypt [--dry-run]

re-seals every connection's platform tokens under the current token key (``CREATORDECK_TOKEN_KEY_ID``)
after the key was changed; it Scans the connections table, so it needs the operator permissions in
docs/deploy.md. Locally, ``python -m devstack cli ...`` runs the same commands against the local stack.
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
    tokens = commands.add_parser("tokens", help="platform tokens").add_subparsers(
        dest="command", required=True
    )
    reencrypt = tokens.add_parser(
        "reencrypt", help="re-seal every connection's tokens under the current token key"
    )
    reencrypt.add_argument(
        "--dry-run", action="store_true", help="count what would be re-sealed, change nothing"
    )
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
        if arguments.group == "tokens" and arguments.command == "reencrypt":
            return reencrypt_tokens(dry_run=arguments.dry_run)
    except SettingsError as exc:
        print(f"creatordeck: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"creatordeck: {exc.message}", file=sys.stderr)
        return 1
    return 2


def reencrypt_tokens(*, dry_run: bool) -> int:
    """``creatordeck tokens reencrypt``: 0 when every connection is sealed under the current key."""
    from chalicelib.bootstrap import build_vault, services
    from chalicelib.services.token_reencrypt import TokenReencryption
    from chalicelib.storage.token_reseal import TokenEnvelopes

    built = services()
    vault = build_vault(built.settings, built.aws)
    report = TokenReencryption(TokenEnvelopes(), vault, lambda line: print(line, flush=True)).run(
        dry_run=dry_run
    )
    if report.failed:
        print(
            f"creatordeck: {report.failed} connections were not re-sealed (see the log); run again",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
