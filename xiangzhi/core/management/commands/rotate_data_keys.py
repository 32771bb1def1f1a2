"""Re-encrypt every encrypted column under the current data key (the first of
XIANGZHI_DATA_KEYS), and with --reindex recompute the blind indexes under XIANGZHI_INDEX_KEY.
See docs/security.md for the whole rotation procedure."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.audit import audit_record
from xiangzhi.core.crypto import EncryptedTextField

BATCH = 2000


class Command(BaseCommand):
    help = "用当前密钥重新加密所有个人敏感字段（--reindex 同时重算盲索引）"

    def add_arguments(self, parser):
        parser.add_argument("--reindex", action="store_true", help="用当前索引密钥重算盲索引")

    def handle(self, *args, reindex: bool, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            # With --reindex the derived columns (blind indexes, stored masks) are rebuilt too.
            index_fields = [
                f"{name}_{suffix}"
                for name in fields
                for suffix in ("index", "mask", "last4")
                if hasattr(model, f"{name}_{suffix}")
            ]
            update = fields + (index_fields if reindex else [])
            last = 0
            while True:
                with transaction.atomic():
                    rows = list(model.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
                    if not rows:
                        break
                    if reindex:
                        for row in rows:
                            row.prepare()
                    # Loading decrypted with whichever key made each value; saving encrypts anew.
                    model.objects.bulk_update(rows, update)
                last = rows[-1].pk
                total += len(rows)
            self.stdout.write(f"{model._meta.label}: {', '.join(update)}")
        audit_record(
            actor=None,
            action=CoreAction.DATA_KEYS_ROTATE,
            object_type="core.crypto",
            changes={"rows": total, "reindex": reindex},
        )
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {total} 行"))
