"""The accounts app's demo: the system administrator and a department's staff member, and the
helpers with which the higher apps' demos make their logins."""

from __future__ import annotations

from xiangzhi.core.demo import DemoContext
from xiangzhi.core.roles import Role

from .models import Department, RoleAssignment, User

DEMO_PASSWORD = "xiangzhi-demo"


def demo_user(username: str, display_name: str, **extra) -> User:
    """Create a demo login with the demo password."""
    user = User(username=username, display_name=display_name, **extra)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def demo_bind(user: User, role: Role, node=None, *, department=None, leader=False) -> None:
    """Give a demo login a role, on a grid node or a department (or on neither: its household)."""
    RoleAssignment.objects.create(
        user=user, role=role, node=node, department=department, is_grid_leader=leader
    )


def load(context: DemoContext) -> dict[str, int]:
    """The logins that need no grid: the administrator and the civil affairs office."""
    demo_user("demo_admin", "系统管理员", is_superuser=True, is_staff=True)
    civil_affairs = Department.objects.get(code="civil_affairs")  # made by migration 0002
    demo_bind(demo_user("demo_minzheng", "民政办"), Role.DEPARTMENT_STAFF, department=civil_affairs)
    return {}
