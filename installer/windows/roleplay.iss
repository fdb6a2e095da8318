; Inno Setup 6.3+ script: installs the PyInstaller bundle (dist\Roleplay Trainer, from `make bundle` or the PowerShell
; steps in installer\README.md) with Start-menu and optional desktop shortcuts, and an uninstaller that keeps the
; user's calls unless asked.
;
;   iscc /DAppVersion=0.1.0 installer\windows\roleplay.iss      -> dist\Roleplay-Trainer-0.1.0-Setup.exe
;
; The user's data (database, recordings, logs, settings) lives in %APPDATA%\RoleplayTrainer, never in the program
; folder: an upgrade replaces the program and keeps the data, and the app migrates the database on its next start.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=x.y.z installer\windows\roleplay.iss
#endif
#define AppName "Roleplay Trainer"
#define AppExeName "Roleplay Trainer.exe"
#define CliExeName "roleplay.exe"
; desktop\settings.py APP_DIR_NAME: the data folder under %APPDATA%
#define DataDirName "RoleplayTrainer"
#define BundleDir "..\..\dist\Roleplay Trainer"

[Setup]
; The AppId ties upgrades and the uninstaller to this app: never change it.
AppId={{6F0F3A4E-5C1B-4B9A-9D6E-2B7C8A1E4D52}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Installs for the current user without an administrator; "Install for all users" is offered when allowed.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=Roleplay-Trainer-{#AppVersion}-Setup
SetupIconFile=..\..\build\icons\roleplay.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade closes the running app (through the Restart Manager) before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the program folder's libraries wholesale, so none from an older version linger beside the new.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function UserDataDir(): String;
begin
  Result := ExpandConstant('{userappdata}\{#DataDirName}');
end;

// After the program is gone: the user's calls stay unless they say otherwise. A silent uninstall always keeps them.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Folder: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  Folder := UserDataDir();
  if UninstallSilent() or not DirExists(Folder) then
    Exit;
  if MsgBox('Also delete your practice calls, recordings, settings and logs?' + #13#10 + #13#10 + Folder + #13#10 + #13#10 +
            'Choose No to keep them; a later install of Roleplay Trainer picks them up again.',
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    if not DelTree(Folder, True, True, True) then
      MsgBox('Some files in ' + Folder + ' could not be deleted. You can delete that folder yourself.', mbError, MB_OK);
  end;
end;
