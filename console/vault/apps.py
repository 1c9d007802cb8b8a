from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "console.vault"
    label = "vault"
