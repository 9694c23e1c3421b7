from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hailong.accounts.models import User
from hailong.accounts.services import admin_create


class Command(BaseCommand):
    help = "Create an administrator account and print its password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="admin")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(
                f"Tài khoản '{options['username']}' đã có / account '{options['username']}' "
                "already exists: choose another name, or reset its password with "
                "'hailong changepassword'."
            )
        user, password = admin_create(username=options["username"], email=options["email"])
        self.stdout.write(
            f"Tài khoản quản trị / administrator account: {user.username}\n"
            f"Mật khẩu / password (shown once): {password}"
        )
