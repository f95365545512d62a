"""Limits on how often someone may do something, counted in the database so that they
hold across any number of API processes."""

from service.ratelimit._windows import HOUR, Hit, Limit, RateLimited, count_hit, refund_hit
from service.ratelimit.models import RateLimitWindow

__all__ = ["HOUR", "Hit", "Limit", "RateLimitWindow", "RateLimited", "count_hit", "refund_hit"]
