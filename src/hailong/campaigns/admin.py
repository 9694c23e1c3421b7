from django.contrib import admin

from .models import Campaign, CampaignUnit


class CampaignUnitInline(admin.TabularInline):
    model = CampaignUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "year", "status", "period_start", "period_end"]
    list_filter = ["status", "year"]
    search_fields = ["name", "code"]
    inlines = [CampaignUnitInline]
