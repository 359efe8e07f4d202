#Requires -Modules Dreamina
<#
.SYNOPSIS
    Turns every image in a folder into a saved video: the images are uploaded to your own storage first.
.DESCRIPTION
    RunComfy fetches images by URL only, so local files go to storage you own: an Azure Blob container given by
    its URL with a SAS (read, create and write), or any other store through Connect-Dreamina -ImageUploader.
    Each file is checked against the model's rules on disk before anything is uploaded or paid for; a bad file
    is an error and costs nothing. Files with the same content are uploaded once, and running the script again
    uploads nothing new. Videos are saved as each job finishes.
.EXAMPLE
    ./examples/New-DreaminaClipsFromFolder.ps1 -Folder ./shots -Prompt 'slow dolly-in' -ImageStore $env:DREAMINA_IMAGE_STORE -Directory ./clips
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Folder,
    [Parameter(Mandatory)] [string] $Prompt,
    # https://<account>.blob.core.windows.net/<container>?<SAS>; leave it out if Connect-Dreamina already set a store or an uploader.
    [string] $ImageStore,
    [string] $Directory = './clips',
    [ValidateSet(5, 10)] [int] $Duration = 5,
    # The most the batch may cost, in USD, by estimate.
    [decimal] $MaxCost = 100
)

if ($ImageStore) { Connect-Dreamina -ImageStore $ImageStore | Out-Null }
Get-ChildItem -Path $Folder -File -Include *.jpg, *.jpeg, *.png -Recurse |
    Start-DreaminaVideo -Prompt $Prompt -Duration $Duration -MaxCost $MaxCost |
    Wait-DreaminaJob |
    Save-DreaminaVideo -Directory $Directory
