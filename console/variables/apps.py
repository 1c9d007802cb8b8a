from django.apps import AppConfig


class VariablesConfig(AppConfig):
    name = "console.variables"
    label = "variables"
    verbose_name = "Variables"

    def ready(self) -> None:
        """Forget this process's decrypted secret forms whenever a variable changes here."""
        from django.db.models.signals import post_delete, post_save

        from console.variables.models import Variable
        from console.variables.services import forget_secret_forms

        def forget(**_kwargs: object) -> None:
            forget_secret_forms()

        post_save.connect(forget, sender=Variable, weak=False, dispatch_uid="variables-forget")
        post_delete.connect(forget, sender=Variable, weak=False, dispatch_uid="variables-forget-d")
