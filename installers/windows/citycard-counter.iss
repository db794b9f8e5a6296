; Inno Setup 6 script: the Windows installer of the city card counter.
; Build on Windows after `make installer` (see installers/README.md):
;   iscc installers\windows\citycard-counter.iss  ->  dist\citycard-counter-setup-<version>.exe
; Checked on Linux by tests/installers/test_installer_files.py (no Inno Setup there).
;
; The data directory %ProgramData%\citycard-counter (journal, keystore, settings, logs; see
; app/paths.py) is created here with modify rights for the counter's users and is NEVER
; removed: not by the uninstaller, not by an upgrade. It appears in no [InstallDelete] or
; [UninstallDelete] entry, and its [Dirs] entry has uninsneveruninstall.

#define AppName "City Card Counter"
#define AppVersion GetEnv("CITYCARD_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif
#define AppExe "citycard-counter.exe"
#define CliExe "citycard-counter-cli.exe"
#define Bundle "..\..\dist\citycard-counter"

[Setup]
; the AppId never changes: it is how an upgrade finds the installed version
AppId={{6F1C2B7E-3D4A-4E8B-9A61-C1A7D0E5B342}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=City card issuer
DefaultDirName={autopf}\CityCardCounter
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=citycard-counter-setup-{#AppVersion}
SetupIconFile=citycard-counter.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; an upgrade replaces the whole bundle: files of the old version must not linger in it
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "citycard-counter.ico"; DestDir: "{app}"; Flags: ignoreversion

[Dirs]
; the per-machine data directory: every user of the counter PC may write (journal, logs)
Name: "{commonappdata}\citycard-counter"; Permissions: users-modify; Flags: uninsneveruninstall
Name: "{commonappdata}\citycard-counter\logs"; Permissions: users-modify; Flags: uninsneveruninstall

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; IconFilename: "{app}\citycard-counter.ico"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; IconFilename: "{app}\citycard-counter.ico"; Tasks: desktopicon

[Run]
Filename: "{app}\{#CliExe}"; Parameters: "version"; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installation..."
Filename: "{app}\{#AppExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the program itself leaves in its own folder; never the data directory
Type: dirifempty; Name: "{app}"
