# Errors where users look for them (try/catch, $Error, -ErrorVariable, a log), each said once; and what -Verbose tells.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator
    $image = "$($emulator.StorageUri)samples/street.jpg"
    # No token anywhere: not in this process, the environment, or a token file.
    $noToken = @{ RUNCOMFY_TOKEN = ''; HOME = "$TestDrive/home"; DREAMINA_BASE_URI = $emulator.BaseUri; DREAMINA_ACCOUNT_URI = $emulator.AccountUri; DREAMINA_JOURNAL_PATH = "$TestDrive/none.jsonl" }
}

AfterAll {
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe 'A missing token' {
    It 'is one error that says where it looked and what to do, found by try/catch, $Error and -ErrorVariable' {
        $script = @"
try { Start-DreaminaVideo 'p' '$image' -ErrorAction Stop } catch { 'CATCH ' + `$_.FullyQualifiedErrorId; 'TEXT ' + `$_.Exception.Message }
'ERROR0 ' + `$Error[0].FullyQualifiedErrorId
Start-DreaminaVideo 'p' '$image' -ErrorVariable problems -ErrorAction SilentlyContinue
'VARIABLE ' + `$problems[0].ErrorRecord.FullyQualifiedErrorId
"@
        $lines = (Invoke-TestPwsh -Script $script -Environment $noToken).Output -split "`n"
        $lines | Should -Contain 'CATCH DreaminaTokenMissing,Dreamina.Commands.StartDreaminaVideoCommand'
        $lines | Should -Contain 'ERROR0 DreaminaTokenMissing,Dreamina.Commands.StartDreaminaVideoCommand'
        $lines | Should -Contain 'VARIABLE DreaminaTokenMissing,Dreamina.Commands.StartDreaminaVideoCommand'
        $text = ($lines | Where-Object { $_ -like 'TEXT *' }).Substring(5)
        $text | Should -Be "No RunComfy token was found (looked in Connect-Dreamina, `$env:RUNCOMFY_API_TOKEN, `$env:RUNCOMFY_TOKEN and ~/.config/runcomfy/token.json). Set one with Connect-Dreamina -Token (Read-Host -AsSecureString 'RunComfy token'), or in `$env:RUNCOMFY_API_TOKEN, or sign in with 'runcomfy login'."
        $text | Should -Not -Match '\.\.'
    }

    It 'logged by the nightly example, with its id and its message' {
        Set-Content "$TestDrive/tonight.csv" -Value 'Prompt,ImageUri', "night,$image"
        $environment = $noToken.Clone()
        $environment.RUNCOMFY_TOKEN = 'not-the-token'
        $run = Invoke-TestPwsh -Script "& '$(Get-RepoRoot)/examples/Invoke-NightlyDreaminaRun.ps1' -CsvPath '$TestDrive/tonight.csv' -Directory '$TestDrive/clips' -LogPath '$TestDrive/night.log' -TimeoutMinutes 1; exit `$LASTEXITCODE" -Environment $environment
        $run.ExitCode | Should -Be 1
        Get-Content "$TestDrive/night.log" -Raw | Should -Match 'ERROR DreaminaAuthenticationFailed,Dreamina.Commands.StartDreaminaVideoCommand: RunComfy refused the token \(HTTP 400, code 400004: "[^"]+"\)\. Set a valid one'
    }
}

Describe 'A request id the journal does not know' {
    It 'is an ObjectNotFound error, as Get-Job -Id 999 is' {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"
        Get-DreaminaJob -RequestId 'no-such-job' -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'DreaminaJobNotFound,Dreamina.Commands.GetDreaminaJobCommand'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].TargetObject | Should -Be 'no-such-job'
        Get-DreaminaJob -RequestId 'no-such-*' -ErrorVariable none | Should -BeNullOrEmpty
        $none | Should -BeNullOrEmpty
    }
}

Describe '-Verbose while waiting' {
    It 'says when each job is queued, starts running and finishes' {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/verbose.jsonl"
        $said = Start-DreaminaVideo 'tell me #run=100' $image | Wait-DreaminaJob -PollInterval 0.2 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $said -match 'Job \S+: running\.' | Should -Not -BeNullOrEmpty
        $said -match 'Job \S+: completed after \d\d:\d\d\.' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Messages that say only what is known, once per cause' {
    BeforeAll {
        Connect-TestEmulator $emulator -JournalPath "$TestDrive/messages.jsonl"
        $shots = New-Item -ItemType Directory "$TestDrive/shots"
        1..3 | ForEach-Object { Invoke-WebRequest "$($emulator.StorageUri)samples/square.png" -OutFile "$shots/shot-$_.png" }
    }

    It 'a missing local file says it is missing' {
        $null = Start-DreaminaVideo 'p' -ImagePath "$TestDrive/nope.png" -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'DreaminaImageFileNotFound,Dreamina.Commands.StartDreaminaVideoCommand'
        $problems[0].Exception.Message | Should -Be "The image file '$TestDrive/nope.png' does not exist. Nothing was submitted for it."
    }

    It 'a host this machine cannot reach is named, claims nothing of the service, and -SkipImageCheck is offered' {
        $null = Start-DreaminaVideo 'p' 'https://no-such-host.invalid/street.jpg' -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'DreaminaImageUnreachable,Dreamina.Commands.StartDreaminaVideoCommand'
        $problems[0].Exception.Message | Should -Match 'no-such-host\.invalid could not be reached from this machine'
        $problems[0].Exception.Message | Should -Match '-SkipImageCheck'
        $problems[0].Exception.Message | Should -Not -Match 'The service could not'
    }

    It 'no image store is no error: a folder of good files goes inline, one job each' {
        $jobs = Get-ChildItem $shots | Start-DreaminaVideo -Prompt 'p' -ErrorVariable problems -ErrorAction SilentlyContinue
        @($problems).Count | Should -Be 0
        @($jobs).Count | Should -Be @(Get-ChildItem $shots).Count
        $jobs | Where-Object ImageUri | Should -BeNullOrEmpty
    }
}
