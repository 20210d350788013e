"""The organization's settings, for its admins: two-factor for admins, and single sign-on."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org import services
from org.access import require_admin
from org.forms import PulseThresholdForm, SingleSignOnForm, TwoFactorRequirementForm
from org.models import SingleSignOn, SingleSignOnDomain


def _sign_on_of(organization) -> SingleSignOn | None:
    return SingleSignOn.objects.filter(organization=organization).first()


def _domains_of(organization) -> list[str]:
    return list(
        SingleSignOnDomain.objects.filter(organization=organization).values_list(
            "domain", flat=True
        )
    )


def _settings_page(
    request: HttpRequest,
    organization,
    form=None,
    status: int = 200,
    *,
    pulse_form: PulseThresholdForm | None = None,
) -> HttpResponse:
    if form is None:
        form = TwoFactorRequirementForm(
            initial={"admins_use_two_factor": organization.admins_use_two_factor}
        )
    if pulse_form is None:
        pulse_form = PulseThresholdForm(initial={"pulse_min_raters": organization.pulse_min_raters})
    context = {
        "organization": organization,
        "two_factor_form": form,
        "pulse_form": pulse_form,
        "sign_on": _sign_on_of(organization),
        "domains": _domains_of(organization),
    }
    return render(request, "org/settings.html", context, status=status)


@require_GET
def organization_settings(request: HttpRequest) -> HttpResponse:
    organization = require_admin(request).organization
    return _settings_page(request, organization)


@require_POST
def two_factor_requirement(request: HttpRequest) -> HttpResponse:
    organization = require_admin(request).organization
    form = TwoFactorRequirementForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, organization, form, status=400)
    services.organization_two_factor_set(
        organization=organization,
        admins_use_two_factor=form.cleaned_data["admins_use_two_factor"],
        by=request.user,
    )
    if form.cleaned_data["admins_use_two_factor"]:
        messages.success(request, "Admins must now use two-factor.")
    else:
        messages.success(request, "Admins no longer have to use two-factor.")
    return redirect("org:settings")


@require_POST
def pulse_threshold(request: HttpRequest) -> HttpResponse:
    """k: the fewest distinct raters a pulse or session-rating group needs to be shown."""
    organization = require_admin(request).organization
    form = PulseThresholdForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, organization, status=400, pulse_form=form)
    services.organization_pulse_threshold_set(
        organization=organization,
        pulse_min_raters=form.cleaned_data["pulse_min_raters"],
        by=request.user,
    )
    messages.success(
        request,
        f"The pulse and session ratings now show groups of at least "
        f"{form.cleaned_data['pulse_min_raters']} raters.",
    )
    return redirect("org:settings")


@require_http_methods(["GET", "POST"])
def single_sign_on(request: HttpRequest) -> HttpResponse:
    organization = require_admin(request).organization
    config = _sign_on_of(organization)
    if request.method == "POST":
        form = SingleSignOnForm(request.POST)
        if form.is_valid():
            try:
                services.single_sign_on_save(
                    organization=organization, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field, message)
            else:
                messages.success(request, "Single sign-on is saved.")
                return redirect("org:settings")
    elif config is None:
        form = SingleSignOnForm()
    else:
        form = SingleSignOnForm(
            initial={
                "issuer": config.issuer,
                "client_id": config.client_id,
                "domains": "\n".join(_domains_of(organization)),
                "enabled": config.enabled,
            }
        )
    context = {
        "form": form,
        "sign_on": config,
        "callback_url": request.build_absolute_uri(reverse("single_sign_on_callback")),
    }
    return render(request, "org/single_sign_on.html", context)
