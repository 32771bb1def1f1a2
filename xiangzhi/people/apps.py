from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xiangzhi.people"
    label = "people"
    verbose_name = "户籍与居民"

    def ready(self):
        from xiangzhi.core.scope import register_entity
        from xiangzhi.grid.rollup import register_counter

        from .models import Household, Resident

        register_entity("household", "people.Household")
        register_entity("resident", "people.Resident")
        register_entity("import_job", "people.ImportJob")
        register_counter(
            "households",
            "户数",
            lambda: Household.objects.filter(status=Household.Status.ACTIVE),
            "node__path",
        )
        register_counter(
            "residents",
            "人数",
            lambda: Resident.objects.filter(status=Resident.Status.ACTIVE),
            "node__path",
        )
