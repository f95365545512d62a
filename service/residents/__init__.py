"""Residents in the loop: following, input, endorsements, moderation, answers, and the
public engagement figures."""
