"""The app's frame: main window, tray, help, single instance."""
