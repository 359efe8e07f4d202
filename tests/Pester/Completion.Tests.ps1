# Tab completion, through TabExpansion2 as the console uses it.

BeforeAll {
    Import-Module "$PSScriptRoot/Dreamina.TestHelpers.psm1" -Force
    Import-Module (Get-TestManifest) -Force
    function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches }
}

Describe 'Completion' {
    It 'offers <Expected> for "<Line>"' -ForEach @(
        @{ Line = 'Start-DreaminaVideo -Frames '; Expected = '121', '241' }
        @{ Line = 'Start-DreaminaVideo -Duration '; Expected = '5', '10' }
        @{ Line = 'Start-DreaminaVideo -Duration 1'; Expected = , '10' }
    ) {
        (Complete $Line).CompletionText | Should -Be $Expected
    }

    It 'completes request ids from the journal, most recent first, with the prompt as the tooltip' {
        $journal = "$TestDrive/jobs.jsonl"
        Set-Content $journal -Value @(
            '{"request_id":"aaa-older","status":"Completed","prompt":"the first one","submitted_at":"2026-01-01T10:00:00+00:00"}'
            '{"request_id":"aab-newer","status":"Queued","prompt":"the second one","submitted_at":"2026-01-02T10:00:00+00:00"}'
            '{"request_id":"zzz-other","status":"Queued","prompt":"another","submitted_at":"2026-01-03T10:00:00+00:00"}'
        )
        Connect-Dreamina -JournalPath $journal | Out-Null
        try {
            $matches = Complete 'Wait-DreaminaJob -RequestId aa'
            $matches.CompletionText | Should -Be 'aab-newer', 'aaa-older'
            $matches[0].ToolTip | Should -Be 'the second one'
        }
        finally { Disconnect-Dreamina }
    }
}
