"""Sound for a call: PortAudio streams, devices, jitter buffer, resampling, VAD, recorder."""
