"""Tests of on-device speech recognition, voice activity, and speech model downloads."""
