"""Qt widgets only: screens, dialogs and the tray. No SQL, sockets or audio here."""
