# Background work the PowerShell way (-AsJob and the *-Job cmdlets), and one Connect-Dreamina for every runspace.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    $emulator = Start-TestEmulator
    Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl"
    $image = "$($emulator.StorageUri)samples/street.jpg"
    # As for an installed module: other runspaces find it on the module path.
    $modulePath = $env:PSModulePath
    $env:PSModulePath = (Get-TestModulePath) + [System.IO.Path]::PathSeparator + $env:PSModulePath
}

AfterAll {
    $env:PSModulePath = $modulePath
    Get-Job | Where-Object PSJobTypeName -EQ DreaminaBackgroundJob | Remove-Job -Force
    Disconnect-Dreamina
    $emulator | Stop-DreaminaEmulator
}

Describe '-AsJob' {
    It 'Start-DreaminaVideo -Wait -AsJob returns a job that Get-Job, Wait-Job, Receive-Job and Remove-Job know' {
        $job = 1..3 | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = $image } } | Start-DreaminaVideo -Wait -AsJob
        $job.PSJobTypeName | Should -Be 'DreaminaBackgroundJob'
        (Get-Job -Id $job.Id).InstanceId | Should -Be $job.InstanceId
        $job | Wait-Job -Timeout 60 | Out-Null
        $job.State | Should -Be 'Completed'
        $done = $job | Receive-Job
        $done.Status | Should -Be 'Completed', 'Completed', 'Completed'
        $done[0] | Should -BeOfType Dreamina.DreaminaJob
        $job | Remove-Job
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Wait-DreaminaJob -AsJob and Save-DreaminaVideo -AsJob hand back finished jobs and saved files' {
        $jobs = 'one', 'two' | ForEach-Object { Start-DreaminaVideo $_ $image }
        $finished = $jobs | Wait-DreaminaJob -AsJob | Wait-Job | Receive-Job
        $finished.Status | Should -Be 'Completed', 'Completed'
        $files = $finished | Save-DreaminaVideo -Directory "$TestDrive/clips" -AsJob | Wait-Job | Receive-Job
        $files.Count | Should -Be 2
        $files[0].PSPath | Should -BeLike '*FileSystem::*'
        $files.RequestId | Sort-Object | Should -Be ($finished.RequestId | Sort-Object)
    }

    It 'Stop-Job stops a wait; the jobs run on at RunComfy' {
        $long = Start-DreaminaVideo 'long #run=60000' $image
        $job = $long | Wait-DreaminaJob -AsJob
        Start-Sleep -Milliseconds 300
        $job | Stop-Job
        $job.State | Should -Be 'Stopped'
        ($long | Get-DreaminaStatus).Status | Should -BeIn 'Queued', 'Running'
    }

    It 'a rejected token fails the job, with the error where Receive-Job puts it' {
        Connect-Dreamina -Token (ConvertTo-SecureString 'not-the-token' -AsPlainText -Force) | Out-Null
        try {
            $job = Start-DreaminaVideo 'p' $image -AsJob
            $job | Wait-Job -Timeout 60 | Out-Null
            $job.State | Should -Be 'Failed'
            $job | Receive-Job -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'DreaminaAuthenticationFailed*'
            $failures[0].Exception.Message | Should -Match 'Connect-Dreamina -Token'
        }
        finally { Connect-TestEmulator $emulator -JournalPath "$TestDrive/jobs.jsonl" }
    }
}

Describe 'One Connect-Dreamina for every runspace of the process' {
    It 'reaches ForEach-Object -Parallel' {
        $jobs = 1..3 | ForEach-Object -Parallel { Start-DreaminaVideo "parallel $_" $using:image } -ThrottleLimit 3
        $jobs.Count | Should -Be 3
        $jobs.ServiceUri | Sort-Object -Unique | Should -Be $emulator.BaseUri
    }

    It 'reaches Start-ThreadJob' {
        $connection = Start-ThreadJob { Get-DreaminaConnection } | Receive-Job -Wait -AutoRemoveJob
        $connection.BaseUri | Should -Be $emulator.BaseUri
        $connection.TokenSource | Should -Be 'Connect-Dreamina'
    }
}

Describe 'Ctrl+C at the prompt, in a real terminal' -Tag 'Slow' -Skip:(-not (Get-Command tmux -ErrorAction SilentlyContinue)) {
    It 'stops the command at the prompt, not the background job' {
        $session = "dreamina-$PID"
        $result = Join-Path $TestDrive 'state.txt'
        $script = Join-Path $TestDrive 'setup.ps1'
        Set-Content $script -Value @(
            "Import-Module '$(Get-TestManifest)'"
            "Connect-Dreamina -BaseUri '$($emulator.BaseUri)' -AccountUri '$($emulator.AccountUri)' -Token (ConvertTo-SecureString '$($emulator.Token)' -AsPlainText -Force) -JournalPath '$TestDrive/tmux.jsonl' | Out-Null"
            "`$job = Start-DreaminaVideo 'in the background #run=300' '$image' -Wait -AsJob"
        )
        & tmux new-session -d -s $session -x 120 -y 30 "$(Get-PwshPath) -NoProfile -NoExit -File '$script'"
        try {
            Start-Sleep -Seconds 3
            & tmux send-keys -t $session 'Start-Sleep -Seconds 60' Enter
            Start-Sleep -Seconds 1
            & tmux send-keys -t $session C-c
            Start-Sleep -Milliseconds 500
            & tmux send-keys -t $session "`$job | Wait-Job -Timeout 60 | Out-Null; `$job.State | Set-Content '$result'" Enter
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Test-Path $result) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-Content $result | Should -Be 'Completed'
        }
        finally { & tmux kill-session -t $session 2>$null }
    }
}
