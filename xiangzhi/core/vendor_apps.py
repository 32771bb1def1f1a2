"""Third-party apps under Chinese names in the admin: INSTALLED_APPS names these subclasses.

Their models' and fields' names come from the libraries through gettext; the project's
catalogue (xiangzhi/locale/zh_Hans) translates those the libraries do not.
"""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录防护"


class TaskResultsConfig(TasksAppConfig):
    verbose_name = "后台任务"
