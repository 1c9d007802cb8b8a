"""Forms for team settings."""

from __future__ import annotations

from django import forms

from console.teams.models import Role


class AddMemberForm(forms.Form):
    """Add an existing user to the team."""

    username = forms.CharField(max_length=150, label="User name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class ChangeRoleForm(forms.Form):
    """Change one member's role."""

    role = forms.ChoiceField(choices=Role.choices)


class RenameTeamForm(forms.Form):
    """Rename the team."""

    name = forms.CharField(max_length=100)
